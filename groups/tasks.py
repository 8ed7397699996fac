"""Background tasks about notifications, run by the worker (django.tasks): the summary
emails, asked for by the tick and built when the worker runs them."""

from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Digest, User
from accounts.tasks import absolute, email_send
from accounts.unsubscribe import unsubscribe_path
from groups import permissions
from groups.services.notification_email import DIGEST_SUBJECT, digest_due


@task()
def digest_send(*, user_id: int) -> str:
    """The daily or weekly summary: how many things are waiting, never what they are
    or where (an email can be read over someone's shoulder)."""
    user = User.objects.filter(pk=user_id, is_active=True, deleted_at__isnull=True).first()
    if user is None or user.email_unsubscribed_at is not None:
        return "not wanted"
    unread = permissions.notifications_visible_to(user).filter(read_at__isnull=True).count()
    if not unread:
        return "nothing unread"
    body = _(
        "Hello,\n\nYou have %(count)s unread notifications on peersupport. For your privacy "
        "we don't say what in email.\n\nSign in to read them: %(link)s"
    ) % {"count": unread, "link": absolute(reverse("forum:notifications"))}
    email_send.enqueue(user_id=user.pk, subject=_(DIGEST_SUBJECT), body=body,
                       unsubscribe_path=unsubscribe_path(user))  # fmt: skip
    return "enqueued"


def digests_enqueue(*, now=None) -> int:
    """Called every minute by the tick: ask the worker to build each summary that is
    due. The worker counts what is unread when it runs (digest_send)."""
    now = now or timezone.now()
    members = User.objects.filter(is_active=True, deleted_at__isnull=True,
                                  email_unsubscribed_at__isnull=True,
                                  digest__in=[Digest.DAILY, Digest.WEEKLY])  # fmt: skip
    due = [user.pk for user in members if digest_due(user, now)]
    User.objects.filter(pk__in=due).update(digest_sent_at=now)
    for user_id in due:
        digest_send.enqueue(user_id=user_id)
    return len(due)
