"""Reads, always scoped to what the user may see; list queries do not grow with rows."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from groups import permissions
from groups.models import Group, Invite, Membership, ReviewItem, Sanction, Topic

SORTS = {
    "activity": ["-last_activity_at", "name"],
    "members": ["-member_count", "name"],
    "name": ["name"],
}


def directory(user, *, query: str = "", topic: str = "", sort: str = "activity") -> QuerySet:
    groups = (
        permissions.groups_visible_to(user)
        .filter(status=Group.Status.ACTIVE)
        .annotate(
            member_count=Count("memberships", filter=Q(memberships__state=Membership.State.ACTIVE))
        )
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("position", "name")))
    )
    if query:
        groups = groups.filter(Q(name__icontains=query) | Q(short_description__icontains=query))
    if topic:
        groups = groups.filter(topics__slug=topic)
    return groups.order_by(*SORTS.get(sort, SORTS["activity"]))


def proposals_of(user) -> QuerySet:
    if not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(proposed_by=user, status=Group.Status.PROPOSED)


def leaders_of(group: Group) -> QuerySet:
    return (
        Membership.objects.leading().filter(group=group)
        .select_related("user")
        .order_by("-role", "user__display_name")
    )  # fmt: skip


def member_list(group: Group, *, include_hidden: bool) -> QuerySet:
    members = (
        Membership.objects.filter(group=group, state=Membership.State.ACTIVE)
        .select_related("user", "group")
        .order_by("user__display_name")
    )
    if not include_hidden:
        members = members.filter(hidden_from_member_list=False)
    return members


def pending_requests(group: Group) -> QuerySet:
    return (
        Membership.objects.filter(group=group, state=Membership.State.REQUESTED)
        .select_related("user")
        .order_by("created_at")
    )


def active_member_count(group: Group) -> int:
    return Membership.objects.filter(group=group, state=Membership.State.ACTIVE).count()


def invites_of(group: Group) -> QuerySet:
    return Invite.objects.filter(group=group).select_related("created_by")


def moderation_log(group: Group) -> QuerySet:
    return group.moderation_log.select_related("actor", "target_user")[:200]


def group_by_slug(slug: str) -> Group | None:
    return Group.objects.filter(slug=slug).first()


def topics_of(group: Group) -> QuerySet[Topic]:
    return group.topics.all()


def invite_by_token(token: str) -> Invite | None:
    return Invite.objects.select_related("group").filter(token=token).first()


def topics() -> QuerySet[Topic]:
    return Topic.objects.all()


def membership_in(group: Group, pk: int) -> Membership:
    return Membership.objects.select_related("user", "group").get(group=group, pk=pk)


def live_item_count(group: Group, kind: str) -> int:
    """How many items of one kind wait in the group's queue (held posts, say)."""
    return ReviewItem.objects.filter(group=group, kind=kind, status__in=ReviewItem.LIVE).count()


def sanctions_in_force(user, group: Group) -> QuerySet[Sanction]:
    """The member's sanctions that apply in this group now (warnings for 30 days)."""
    if not user.is_authenticated:
        return Sanction.objects.none()
    now = timezone.now()
    return (
        Sanction.objects.filter(user=user, lifted_at__isnull=True)
        .filter(Q(group=group) | Q(group__isnull=True))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .exclude(kind=Sanction.Kind.WARNING, created_at__lt=now - datetime.timedelta(days=30))
    )
