"""Reads of threads, posts and notifications; list queries do not grow with rows."""

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from forum.models import Post, Reaction, ReadState, Thread
from groups import permissions
from groups.models import Group, Notification, Report, Target

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


def post_reports(group: Group) -> list[Report]:
    """Reports of the group's posts, newest first, each with its post attached."""
    reports = list(
        Report.objects.filter(group=group, target_key__startswith=f"{Target.POST}:")
        .select_related("reporter")
        .order_by("-created_at")
    )
    posts = Post.objects.select_related("author", "thread__group").in_bulk(
        [report.target_id for report in reports]
    )
    for report in reports:
        report.post = posts.get(report.target_id)
    return [report for report in reports if report.post is not None]


def _notifications_of(user) -> QuerySet[Notification]:
    """The member's notifications they may still be shown (groups.permissions decides,
    when read: leaving, removal or a ban hides what names the group's content at once,
    and rejoining brings it back)."""
    return permissions.notifications_visible_to(user)


def unread_notification_count(user) -> int:
    """The bell's number: the one function every page and the live socket ask."""
    if not user.is_authenticated:
        return 0
    return _notifications_of(user).filter(read_at__isnull=True).count()


NOTIFICATIONS_PER_PAGE = 50


def notifications_for(user, limit: int = NOTIFICATIONS_PER_PAGE) -> list[Notification]:
    return list(_notifications_of(user).select_related("actor", "group")[:limit])


def notification_for(user, pk: int) -> Notification | None:
    """One notification, if the member may still be shown it (for the live bell)."""
    return _notifications_of(user).select_related("actor", "group").filter(pk=pk).first()


def post_revisions(post: Post) -> QuerySet:
    return post.revisions.all()


def get_thread_for_user(user, group: Group, pk: int) -> Thread:
    """The thread, or 404 when the user may not see it."""
    thread = Thread.objects.select_related("group", "author").filter(group=group, pk=pk).first()
    if thread is None:
        raise Http404
    permissions.check_can_see_thread(user, thread)
    return thread


def get_post_for_user(user, group: Group, pk: int) -> Post:
    """The post, or 404 when the user may not see it."""
    post = (
        Post.objects.select_related("thread__group", "author")
        .filter(thread__group=group, pk=pk)
        .first()
    )
    if post is None:
        raise Http404
    permissions.check_can_see_post(user, post)
    return post


def last_read_number(user, thread: Thread) -> int:
    if not user.is_authenticated:
        return 0
    state = ReadState.objects.filter(user=user, thread=thread).first()
    return state.last_read_number if state else 0
