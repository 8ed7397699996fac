"""Thread pages render in a number of queries that does not grow with the data.

Each page is measured on a small group (3 threads, a thread of 3 posts, 3 members)
and on a large one (300 threads, a thread of 300 posts, 60 more members reacting,
reading, reporting and being notified), for a leader and for a member. Both must
fit the page's budget, and the large group may not take a single query more than
the small one: one more query on 100x the rows means an N+1 query."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum.models import Post, PostRevision, Reaction, ReadState, Thread
from groups.markdown import SANITIZER_VERSION, render_markdown
from groups.models import Notification, Report
from tests.factories import Community, person, signed_in

pytestmark = pytest.mark.django_db

SIZES = {
    # size: (threads in the group, posts in the big thread, members beyond the usual few)
    "small": (3, 3, 0),
    "large": (300, 300, 60),
}
KINDS = ["strength", "me_too", "thank_you", "proud"]
BODY = "Some **bold** words, a [link](https://example.org/) and\n\n> a quote."
RENDERED = str(render_markdown(BODY))


class Busy(Community):
    """A group with `threads` threads, one thread of `posts` posts, and everyone
    reacting, reading, reporting, being notified and waiting for approval."""

    def __init__(self, size: str):
        super().__init__()
        n_threads, n_posts, n_extra = SIZES[size]
        now = timezone.now()
        self.people = [self.member, self.other, self.newcomer, self.leader, self.owner]
        self.people += [self.join(person("Reader"), approved_post_count=5) for _ in range(n_extra)]
        newcomers = [self.newcomer] + [self.join(person("Newcomer")) for _ in range(n_extra // 6)]
        cycle = itertools.cycle(self.people)

        def post(thread, number, author, **fields):
            fields.setdefault("state", Post.State.PUBLISHED)
            return Post(thread=thread, author=author, number=number, body=BODY,
                        rendered_html=RENDERED, rendered_version=SANITIZER_VERSION,
                        created_at=now, **fields)  # fmt: skip

        # The list: threads by everyone, some pinned or locked, and held ones by
        # the viewers and a newcomer that only their authors (and leaders) see.
        threads = Thread.objects.bulk_create(
            [
                Thread(group=self.group, author=next(cycle), title=f"Thread {n}",
                       last_activity_at=now - datetime.timedelta(minutes=n),
                       last_post_number=1, published_post_count=1,
                       pinned_at=now if n % 40 == 1 else None,
                       locked_at=now if n % 7 == 2 else None)
                for n in range(n_threads)
            ]
            + [
                Thread(group=self.group, author=author, title="Held thread",
                       is_published=False)
                for author in (self.member, self.leader, self.newcomer)
            ]
        )  # fmt: skip
        Post.objects.bulk_create(
            [post(thread, 1, thread.author) for thread in threads if thread.is_published]
            + [post(thread, None, thread.author, state=Post.State.HELD)
               for thread in threads if not thread.is_published]
        )  # fmt: skip
        # Everyone has read some threads, some of them all the way.
        ReadState.objects.bulk_create(
            ReadState(user=reader, thread=thread, last_read_number=(i + j) % 2)
            for i, reader in enumerate(self.people)
            for j, thread in enumerate(threads)
            if thread.is_published and (i + j) % 3
        )

        # The big thread: posts by everyone, with warnings, edits and removals.
        self.big = Thread.objects.create(
            group=self.group, author=self.owner, title="The big thread", last_post_number=n_posts,
            published_post_count=n_posts,
        )  # fmt: skip
        posts = Post.objects.bulk_create(
            post(self.big, n, next(cycle),
                 content_warning="relapse" if n % 5 == 0 else "",
                 state=Post.State.REMOVED_BY_AUTHOR if n % 11 == 0 else Post.State.PUBLISHED,
                 edited_at=now if n % 3 == 0 else None)
            for n in range(1, n_posts + 1)
        )  # fmt: skip
        held = Post.objects.bulk_create(
            post(self.big, None, author, state=Post.State.HELD)
            for author in [self.member, self.leader, *newcomers]
        )
        PostRevision.objects.bulk_create(
            PostRevision(post=p, body="Before.") for p in posts if p.edited_at for _ in range(2)
        )
        # Reactions of every kind from everyone on the first and last pages.
        shown = posts[:20] + posts[-20:]
        Reaction.objects.bulk_create(
            [
                Reaction(post=p, user=reactor, kind=kind)
                for i, p in enumerate(shown)
                for j, reactor in enumerate(self.people)
                for kind in KINDS[(i + j) % 4 :][:2]
            ],
            ignore_conflicts=True,
        )
        ReadState.objects.bulk_create(
            ReadState(user=reader, thread=self.big, last_read_number=i % (n_posts + 1))
            for i, reader in enumerate(self.people)
            if reader not in (self.member, self.leader)
        )
        # Reports and notifications, many of each.
        Report.objects.bulk_create(
            [
                Report(
                    group=p.thread.group,
                    target_key=f"post:{p.pk}",
                    subject=p.author,
                    reporter=reporter,
                    reason="harassment",
                    note="Unkind.",
                )
                for p, reporter in zip(posts, itertools.cycle(self.people[::-1]), strict=False)
                if p.author_id != reporter.pk
            ]
        )
        for viewer in (self.member, self.leader):
            Notification.objects.bulk_create(
                Notification(
                    user=viewer,
                    kind=kind,
                    actor=p.author,
                    group=p.thread.group,
                    target_key=f"post:{p.pk}",
                    about=p.thread.title,
                    link=f"/x/#post-{p.pk}",
                )
                for p in posts
                for kind in (Notification.Kind.MENTION, Notification.Kind.REPLY)
            )
        self.held = held


def url_of(world: Busy, page: str) -> str:
    return {
        "thread list": world.threads_url(),
        "thread list, last page": world.threads_url() + "?page=999",
        "thread, first page": world.thread_url(world.big),
        "thread, last page": world.thread_url(world.big) + "?page=999",
        "held posts": world.url("forum:held"),
        "reports": world.url("forum:reports"),
        "notifications": reverse("forum:notifications"),
    }[page]


# page: {viewer: budget}. Three queries load the session, the user (with a raw count
# of unread notifications) and the user's memberships (peersupport/auth.py); one the
# group; one the bell's filtered count when anything is unread; for leaders one the
# moderation queue's count; the rest is the page.
BUDGETS = {
    "thread list": {"leader": 8, "member": 7},
    "thread list, last page": {"leader": 8, "member": 7},
    "thread, first page": {"leader": 11, "member": 10},
    "thread, last page": {"leader": 11, "member": 10},
    "held posts": {"leader": 7},
    "reports": {"leader": 8},
    "notifications": {"leader": 6, "member": 5},
}
CASES = [(page, viewer) for page, budget in BUDGETS.items() for viewer in budget]


def queries_for(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize(("page", "viewer"), CASES)
def test_the_page_renders_in_the_same_number_of_queries_however_much_data(
    page, viewer, django_assert_max_num_queries
):
    budget = BUDGETS[page][viewer]
    visits = {}
    for size in SIZES:
        world = Busy(size)
        client, url = signed_in(getattr(world, viewer)), url_of(world, page)
        client.get(url)  # the first visit moves read pointers: measure the visit after it
        visits[size] = (client, url)
    counts = {size: queries_for(client, url)[0] for size, (client, url) in visits.items()}

    assert counts["large"] == counts["small"], (
        f"{page} as {viewer}: the query count grows with rows: {counts}"
    )
    for client, url in visits.values():
        with django_assert_max_num_queries(budget):
            client.get(url)


def test_the_large_pages_really_show_many_rows():
    """The large data set is large where each page looks: a guard for the test itself."""
    world = Busy("large")
    leader = signed_in(world.leader)
    assert leader.get(url_of(world, "thread list")).text.count('<li class="thread-row') == 30
    thread_page = leader.get(url_of(world, "thread, first page")).text
    assert thread_page.count('<article tabindex="-1" class="post') == 20
    assert thread_page.count('class="reaction__count"') >= 20
    assert leader.get(url_of(world, "held posts")).text.count('<li class="card">') >= 10
    assert leader.get(url_of(world, "reports")).text.count("<tr") > 250
    member = signed_in(world.member)
    assert member.get(url_of(world, "notifications")).text.count("<li") >= 50
    last = member.get(url_of(world, "thread, last page")).text
    assert "Awaiting approval: only you" in last
    assert ReadState.objects.filter(thread=world.big).count() >= 60
