"""Reads, always scoped to what the user may see; list queries do not grow with rows."""

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from groups import permissions
from groups.models import (
    Group,
    Invite,
    Membership,
    Notification,
    Post,
    Reaction,
    ReadState,
    Report,
    Thread,
    Topic,
)

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


# Threads

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 20


def page_of(number: int) -> int:
    """The page a post number is on. Numbers never change, so neither do links."""
    return (max(number, 1) - 1) // POSTS_PER_PAGE + 1


def thread_list(user, group: Group) -> QuerySet:
    threads = (
        Thread.objects.filter(group=group)
        .filter(Q(is_published=True) | Q(author=user.pk if user.is_authenticated else None))
        .select_related("author")
        .order_by(F("pinned_at").desc(nulls_last=True), "-last_activity_at", "-pk")
    )
    if user.is_authenticated:
        threads = threads.annotate(
            last_read_number=Subquery(
                ReadState.objects.filter(thread=OuterRef("pk"), user=user).values(
                    "last_read_number"
                )[:1]
            )
        )
    return threads


def visible_posts(user, thread: Thread, page: int, *, is_leader: bool) -> list[Post]:
    """One page of posts, with the reader's own held posts at the end of the last page,
    and reaction counts attached, in a fixed number of queries."""
    first = (page - 1) * POSTS_PER_PAGE + 1
    last = first + POSTS_PER_PAGE - 1
    shown = Q(number__gte=first, number__lte=last) & Q(
        state__in=[Post.State.PUBLISHED, Post.State.REMOVED_BY_AUTHOR, Post.State.HIDDEN]
    )
    if user.is_authenticated and last >= thread.last_post_number:
        shown |= Q(state__in=[Post.State.HELD, Post.State.REJECTED], author=user)
    posts = list(
        Post.objects.filter(thread=thread)
        .filter(shown)
        .select_related("author")
        .annotate(revision_count=Count("revisions"))
        .order_by(F("number").asc(nulls_last=True), "created_at")
    )
    _attach_reactions(user, posts)
    return posts


def _attach_reactions(user, posts: list[Post]) -> None:
    ids = [post.pk for post in posts]
    counts: dict[int, dict[str, int]] = {post_id: {} for post_id in ids}
    for row in (
        Reaction.objects.filter(post_id__in=ids).values("post_id", "kind").annotate(n=Count("pk"))
    ):
        counts[row["post_id"]][row["kind"]] = row["n"]
    mine: set[tuple[int, str]] = set()
    if user.is_authenticated:
        mine = set(
            Reaction.objects.filter(post_id__in=ids, user=user).values_list("post_id", "kind")
        )
    for post in posts:
        post.reaction_summary = [
            {
                "kind": kind,
                "label": label,
                "count": counts[post.pk].get(kind, 0),
                "mine": (post.pk, kind) in mine,
            }
            for kind, label in Reaction.Kind.choices
        ]


def held_posts(group: Group) -> QuerySet:
    return (
        Post.objects.filter(thread__group=group, state=Post.State.HELD)
        .select_related("author", "thread")
        .order_by("created_at")
    )


def reports_for(group: Group) -> QuerySet:
    return (
        Report.objects.filter(post__thread__group=group)
        .select_related("reporter", "post__author", "post__thread__group")
        .order_by("-created_at")
    )


def unread_notification_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user) -> QuerySet:
    return Notification.objects.filter(user=user).select_related("actor", "post__thread__group")[
        :50
    ]


def post_revisions(post: Post) -> QuerySet:
    return post.revisions.all()
