"""Reads, always scoped to what the user may see; list queries do not grow with rows."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from groups import permissions
from groups.models import Group, Invite, Membership, Topic

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
    if user.is_authenticated:
        groups = groups.annotate(
            my_state=Subquery(
                Membership.objects.filter(group=OuterRef("pk"), user=user).values("state")[:1]
            ),
            my_role=Subquery(
                Membership.objects.filter(group=OuterRef("pk"), user=user).values("role")[:1]
            ),
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
        Membership.objects.filter(
            group=group, state=Membership.State.ACTIVE,
            role__in=[Membership.Role.OWNER, Membership.Role.LEADER],
        )
        .select_related("user")
        .order_by("-role", "user__display_name")
    )  # fmt: skip


def member_list(group: Group, *, include_hidden: bool) -> QuerySet:
    members = (
        Membership.objects.filter(group=group, state=Membership.State.ACTIVE)
        .select_related("user")
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


def membership_in(group: Group, pk: int) -> Membership:
    return Membership.objects.select_related("user", "group").get(group=group, pk=pk)
