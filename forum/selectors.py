"""Reads of threads, posts and notifications; list queries do not grow with rows."""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.http import Http404

from accounts.models import User
from forum.models import Post, PostRevision, Reaction, ReadState, Thread
from groups import permissions
from groups.models import Group, Notification, Report, Target

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 20


def page_of(number: int) -> int:
    """The page a post number is on. Numbers never change, so neither do links."""
    return (max(number, 1) - 1) // POSTS_PER_PAGE + 1


def _authors() -> Prefetch:
    """Authors by their public name only, fetched by key: joined instead, Postgres may
    read the whole member table for a page of twenty."""
    return Prefetch("author", queryset=User.objects.only(*User.PUBLIC_FIELDS))


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
    posts = Post.objects.filter(thread=thread).filter(shown).prefetch_related(_authors())
    if is_leader:  # leaders are shown a link to the edit history
        posts = posts.annotate(
            has_revisions=Exists(PostRevision.objects.filter(post=OuterRef("pk")))
        )
    posts = list(posts.order_by(F("number").asc(nulls_last=True), "created_at"))
    _attach_reactions(user, posts)
    return posts


def _attach_reactions(user, posts: list[Post]) -> None:
    """Each post's reaction_summary: (kind, label, count, whether the user chose it)
    for every kind, in one query."""
    counts: dict[int, dict[str, tuple[int, bool]]] = {post.pk: {} for post in posts}
    mine = Count("pk", filter=Q(user=user.pk)) if user.is_authenticated else Value(0)
    rows = (
        Reaction.objects.filter(post_id__in=counts)
        .values("post_id", "kind")
        .annotate(n=Count("pk"), mine=mine)
    )
    for row in rows:
        counts[row["post_id"]][row["kind"]] = (row["n"], bool(row["mine"]))
    for post in posts:
        post.reaction_summary = tuple(
            (kind, str(label), *counts[post.pk].get(kind, (0, False)))
            for kind, label in Reaction.Kind.choices
        )


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
    if getattr(user, "raw_unread_notifications", None) == 0:
        return 0  # loaded with the user (peersupport/auth.py): nothing unread at all
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
    thread = Thread.objects.select_related("author").filter(group=group, pk=pk).first()
    if thread is None:
        raise Http404
    thread.group = group
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


def read_state(user, thread: Thread) -> ReadState | None:
    """The member's read pointer in the thread, if they have one."""
    if not user.is_authenticated:
        return None
    return ReadState.objects.filter(user=user, thread=thread).first()
