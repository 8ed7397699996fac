"""The signed-in member, loaded once a request with what every page asks of them.

Every signed-in page asks who the member is, whether they lead a group (the queue
link) and whether the bell has anything unread. Asked one by one, those are three
queries and most of a small page's time. Here the user row comes with both: whether
they lead a group, and a raw count of unread notifications (an upper bound of what
the bell shows: zero means zero, anything else is filtered by what the member may
still read). Their memberships load at the first rule that needs one, all at once
(groups/permissions membership_of).
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from groups import permissions
from groups.models import Membership, Notification


def _raw_unread_count() -> Subquery:
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


class MemberBackend(AuthenticationBackend):
    """allauth's backend (email sign-in), loading the member as described above."""

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.annotate(
                raw_unread_notifications=_raw_unread_count(),
                leads_a_group=Exists(Membership.objects.leading().filter(user=OuterRef("pk"))),
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        permissions.remember_leading(user, user.leads_a_group)
        return user
