"""A signed-in member's home: what happened to them and their groups, on one page, in
a fixed number of queries however many groups, threads and notifications they have."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from chat.models import ChatMessage, ChatRoom, ChatSeen
from forum import selectors as forum_selectors
from forum.models import Post, ReadState, Thread
from groups import permissions
from groups.models import Group, Membership, Topic

THREADS_SHOWN = 10
NOTIFICATIONS_SHOWN = 5
# What counts as new on the home: activity of the last RECENT_DAYS, among the member's
# RECENT_THREADS most recently active threads. Unbounded, both ran over every thread
# of every group the member is in (130 and 160 ms for a member of 20 groups with
# 10,000 threads); bounded, they cost the same however old the forum is.
RECENT_DAYS = 30
RECENT_THREADS = 50
# New chat messages are counted among a room's last NEW_CHAT_AT_MOST (by sequence
# number, so the count reads at most that many rows of the (room, seq) index);
# beyond it the home says "more than".
NEW_CHAT_AT_MOST = 99


@dataclass
class Home:
    groups: list[Group] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    requests: list[Membership] = field(default_factory=list)
    held_posts: list[Post] = field(default_factory=list)
    notifications: list = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    queue_count: int = 0


def _read_number(user):
    """How far the member has read a thread: their read pointer, or their own last post
    in it if that is further (what they wrote themselves is never "new")."""
    pointer = ReadState.objects.filter(thread=OuterRef("pk"), user=user)
    own = (
        Post.objects.filter(thread=OuterRef("pk"), author=user, number__isnull=False)
        .order_by("-number")
    )  # fmt: skip
    return Greatest(
        Coalesce(Subquery(pointer.values("last_read_number")[:1]), 0),
        Coalesce(Subquery(own.values("number")[:1]), 0),
    )


def my_groups(user) -> list[Group]:
    """The member's groups, each with how many of its threads active in the last
    RECENT_DAYS have posts they have not read, most recently active first."""
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    unread = (
        Thread.objects.filter(group=OuterRef("pk"), is_published=True, last_activity_at__gte=since)
        .annotate(read=_read_number(user))
        .filter(last_post_number__gt=F("read"))
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Group.objects.filter(
            status=Group.Status.ACTIVE,
            memberships__user=user, memberships__state=Membership.State.ACTIVE,
        )
        .annotate(unread_threads=Coalesce(Subquery(unread[:1]), 0))
        .order_by(F("last_activity_at").desc(nulls_last=True), "name")
    )  # fmt: skip


def add_new_chat(user, groups: list[Group]) -> None:
    """Each group's count of chat messages by others since the member last saw its
    room (chat.models.ChatSeen), in one query however many groups."""
    if not groups:
        return
    seen = ChatSeen.objects.filter(user=user, room=OuterRef("pk")).values("last_seen_seq")
    newer = (
        ChatMessage.objects.filter(
            room=OuterRef("pk"), state=ChatMessage.State.PUBLISHED, is_notice=False,
            seq__gt=Greatest(OuterRef("seen"), OuterRef("last_seq") - NEW_CHAT_AT_MOST),
        )
        .exclude(author=user).order_by().values("room").annotate(n=Count("pk")).values("n")
    )  # fmt: skip
    rooms = (
        ChatRoom.objects.filter(group__in=[group.pk for group in groups],
                                kind=ChatRoom.Kind.MEMBERS)
        .annotate(seen=Coalesce(Subquery(seen[:1]), 0))
        .annotate(new=Coalesce(Subquery(newer[:1]), 0))
        .values_list("group_id", "new", "seen", "last_seq")
    )  # fmt: skip
    by_group = {
        gid: (new, last_seq - seen > NEW_CHAT_AT_MOST) for gid, new, seen, last_seq in rooms
    }
    for group in groups:
        group.new_chat, group.new_chat_more = by_group.get(group.pk, (0, False))


def threads_with_new_replies(user) -> list[Thread]:
    """Threads the member started or wrote in, in groups they may still read, where
    someone has posted since they last read: among their RECENT_THREADS most recently
    active ones."""
    wrote_in = Post.objects.filter(author=user).values("thread_id")
    recent = (
        Thread.objects.filter(group__in=permissions.groups_readable_by(user), is_published=True)
        .filter(Q(author=user) | Q(pk__in=wrote_in))
        .order_by("-last_activity_at")
        .values("pk")[:RECENT_THREADS]
    )
    return list(
        Thread.objects.filter(pk__in=recent)
        .annotate(read=_read_number(user))
        .filter(last_post_number__gt=F("read"))
        .annotate(new_posts=F("last_post_number") - F("read"))
        .select_related("group")
        .order_by("-last_activity_at")[:THREADS_SHOWN]
    )


def home_for(user) -> Home:
    home = Home(
        groups=my_groups(user),
        threads=threads_with_new_replies(user),
        requests=list(
            Membership.objects.filter(user=user, state=Membership.State.REQUESTED)
            .select_related("group").order_by("-created_at")
        ),
        held_posts=list(
            Post.objects.filter(author=user, state=Post.State.HELD)
            .select_related("thread__group").order_by("-created_at")
        ),
        notifications=forum_selectors.notifications_for(user, limit=NOTIFICATIONS_SHOWN),
    )  # fmt: skip
    add_new_chat(user, home.groups)
    if not home.groups:
        home.topics = list(Topic.objects.order_by("position", "name"))
    if permissions.can_open_queue(user):
        home.queue_count = permissions.live_items_visible_to(user).count()
    return home
