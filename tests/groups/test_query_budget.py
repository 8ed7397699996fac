"""List pages render in a number of queries that does not grow with the data.

Each budget is the page's query count on the small data set, and the same budget
must hold for the large one: one more query on 30x the rows means an N+1 query."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, Membership, SiteSettings, Topic
from tests.factories import add_member, make_group, make_user, person, unique_word

pytestmark = pytest.mark.django_db

State = Membership.State
Role = Membership.Role

SIZES = {
    # size: (groups in the directory, members and join requests in one group)
    "small": (5, 5),
    "large": (150, 200),
}


def topics() -> list[Topic]:
    return [
        Topic.objects.get_or_create(slug=f"budget-topic-{n}", defaults={"name": f"Budget {n}"})[0]
        for n in range(3)
    ]


def build_directory(n_groups: int):
    """n_groups groups of every kind, each with topics and members; the viewer belongs
    to some of them in every membership state."""
    viewer = make_user(display_name="Budget Viewer")
    pool = [person() for _ in range(6)]
    kinds = [
        (Group.Visibility.PUBLIC, Group.JoinPolicy.OPEN),
        (Group.Visibility.PRIVATE, Group.JoinPolicy.REQUEST),
        (Group.Visibility.HIDDEN, Group.JoinPolicy.INVITE),
    ]
    all_topics = topics()
    viewer_states = itertools.cycle(
        [State.ACTIVE, State.REQUESTED, State.BANNED, State.LEFT, None, None]
    )
    for number in range(n_groups):
        visibility, policy = kinds[number % len(kinds)]
        group = make_group(
            name=f"Group {unique_word()}", visibility=visibility, join_policy=policy,
            owner=pool[number % len(pool)],
        )  # fmt: skip
        group.topics.set(all_topics[: 1 + number % len(all_topics)])
        for other in (pool[(number + 1) % len(pool)], pool[(number + 2) % len(pool)]):
            add_member(group, other)
        state = next(viewer_states)
        if state is not None:
            role = Role.LEADER if number % 4 == 0 and state == State.ACTIVE else Role.MEMBER
            add_member(group, viewer, state=state, role=role)
    return viewer


def build_group(n_people: int):
    """One group with n_people members (leaders, hidden and muted among them) and
    n_people waiting join requests. Returns the group, a leader and a plain member."""
    owner = person()
    group = make_group(
        name="Budget Group", visibility=Group.Visibility.PRIVATE,
        join_policy=Group.JoinPolicy.REQUEST, owner=owner, about="About **us**.",
    )  # fmt: skip
    group.topics.set(topics())
    leader = make_user(display_name="Budget Leader")
    add_member(group, leader, role=Role.LEADER)
    member = make_user(display_name="Budget Member")
    add_member(group, member)
    muted_until = timezone.now() + datetime.timedelta(days=1)
    for number in range(n_people):
        add_member(
            group, person(), role=Role.LEADER if number % 10 == 0 else Role.MEMBER,
            hidden_from_member_list=number % 3 == 0,
            muted_until=muted_until if number % 7 == 0 else None,
        )  # fmt: skip
        add_member(group, person(), state=State.REQUESTED, request_message=f"Request {number}")
    return group, leader, member


# What each page must show, so that a budget is never met by showing nothing:
# (text, how many times at least).


def cards(n: int) -> tuple[str, int]:
    return '<li class="card">', n


def listed_groups(size) -> tuple[str, int]:
    # Public and private groups: two in every three.
    return cards(len([n for n in range(SIZES[size][0]) if n % 3 != 2]))


def rows(n: int) -> tuple[str, int]:
    return '<th scope="row">', n


def member_count(size) -> tuple[str, int]:
    # The owner, the leader, the member and everyone added.
    return f"{SIZES[size][1] + 3} members", 1


def directory_anonymous(size):
    build_directory(SIZES[size][0])
    return None, reverse("groups:directory"), {}, listed_groups(size)


def directory_signed_in(size):
    return build_directory(SIZES[size][0]), reverse("groups:directory"), {}, listed_groups(size)


def directory_filtered(size):
    viewer = build_directory(SIZES[size][0])
    params = {"sort": "members", "topic": "budget-topic-0"}
    return viewer, reverse("groups:directory"), params, listed_groups(size)


def group_page_for_a_leader(size):
    group, leader, _member = build_group(SIZES[size][1])
    return leader, reverse("groups:detail", args=[group.slug]), {}, member_count(size)


def group_page_for_a_member(size):
    group, _leader, member = build_group(SIZES[size][1])
    return member, reverse("groups:detail", args=[group.slug]), {}, member_count(size)


def group_page_anonymous(size):
    group, _leader, _member = build_group(SIZES[size][1])
    return None, reverse("groups:detail", args=[group.slug]), {}, member_count(size)


def members_page_for_a_leader(size):
    group, leader, _member = build_group(SIZES[size][1])
    return leader, reverse("groups:members", args=[group.slug]), {}, rows(SIZES[size][1] + 3)


def members_page_for_a_member(size):
    group, _leader, member = build_group(SIZES[size][1])
    listed = SIZES[size][1] - len(range(0, SIZES[size][1], 3)) + 3
    return member, reverse("groups:members", args=[group.slug]), {}, rows(listed)


def requests_page(size):
    group, leader, _member = build_group(SIZES[size][1])
    return leader, reverse("groups:requests", args=[group.slug]), {}, cards(SIZES[size][1])


# page: (how to build it, the most queries it may take). Signed-in pages include the
# header's bell (1 query) and, for leaders, the moderation queue count (2 more).
BUDGETS = {
    "directory, anonymous": (directory_anonymous, 3),
    "directory, signed in": (directory_signed_in, 11),
    "directory by topic and size, signed in": (directory_filtered, 11),
    "group page, leader": (group_page_for_a_leader, 14),
    "group page, member": (group_page_for_a_member, 11),
    "group page, anonymous": (group_page_anonymous, 4),
    "members page, leader": (members_page_for_a_leader, 8),
    "members page, member": (members_page_for_a_member, 7),
    "requests page": (requests_page, 8),
}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("page", list(BUDGETS))
def test_the_page_renders_in_the_same_number_of_queries_however_much_data(
    client, django_assert_max_num_queries, page, size
):
    build, budget = BUDGETS[page]
    viewer, url, params, (text, at_least) = build(size)
    SiteSettings.current()
    if viewer is not None:
        client.force_login(viewer)
    assert client.get(url, params).status_code == 200  # warm up: sessions, caches
    with django_assert_max_num_queries(budget):
        response = client.get(url, params)
    assert response.status_code == 200
    assert response.text.count(text) >= at_least, (text, response.text.count(text))
