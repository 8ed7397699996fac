"""Every group URL, for every kind of person, in each kind of group: one table.

Kinds of group: public (open), private (by request), hidden (invite only).
Each cell lists the expected result in the public, private and hidden group:
a status code, or "login" for a redirect to the login page.

One World of each kind is built once for the class that uses them (see `class_db` in
tests/conftest.py), not once per case: every test gets its own copy of the objects, and
whatever it changes in the database is rolled back after it.
"""

import copy
import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from chat import services as chat_services
from forum.services import reactions as reaction_services
from forum.services import threads as thread_services
from groups.models import Group, Invite, Membership
from groups.services import sanctions as sanction_services
from tests.factories import add_member, make_group, make_staff, membership_of, person

pytestmark = pytest.mark.django_db

KINDS = ["public", "private", "hidden"]
ROLES = [
    "anonymous", "outsider", "requester", "member", "muted", "banned", "other_leader",
    "leader", "owner", "staff", "staff_no_2fa",
]  # fmt: skip
# A staff account without two-factor authentication has no staff powers: in a group it
# isn't a member of, it is an outsider, row for row (its rows are filled in below).
STAFF_WITHOUT_TWO_FACTOR_IS = "outsider"

# Shorthands for whole rows.
ALL_LOGIN = "login login login"


def row(text: str) -> list[str]:
    return text.split()


# url name -> method, {role: "public private hidden"}
TABLE = {
    "detail": (
        "get",
        {
            "anonymous": "200 200 404",
            "outsider": "200 200 404",
            "requester": "200 200 404",
            "member": "200 200 200",
            "muted": "200 200 200",
            "banned": "200 200 404",
            "other_leader": "200 200 404",
            "leader": "200 200 200",
            "owner": "200 200 200",
            "staff": "200 200 200",
        },
    ),
    "join": (
        "get",
        {
            "anonymous": ALL_LOGIN,
            "outsider": "200 403 404",
            "requester": "403 403 404",
            "member": "403 403 403",
            "muted": "403 403 403",
            "banned": "403 403 404",
            "other_leader": "200 403 404",
            "leader": "403 403 403",
            "owner": "403 403 403",
            "staff": "403 403 403",
        },
    ),
    "request": (
        "get",
        {
            "anonymous": ALL_LOGIN,
            "outsider": "403 200 404",
            "requester": "403 403 404",
            "member": "403 403 403",
            "muted": "403 403 403",
            "banned": "403 403 404",
            "other_leader": "403 200 404",
            "leader": "403 403 403",
            "owner": "403 403 403",
            "staff": "403 403 403",
        },
    ),
    "withdraw": (
        "post",
        {
            "anonymous": ALL_LOGIN,
            "outsider": "302 302 404",
            "requester": "302 302 404",
            "member": "302 302 302",
            "muted": "302 302 302",
            "banned": "302 302 404",
            "other_leader": "302 302 404",
            "leader": "302 302 302",
            "owner": "302 302 302",
            "staff": "302 302 302",
        },
    ),
    "leave": (
        "get",
        {
            "anonymous": ALL_LOGIN,
            "outsider": "403 403 404",
            "requester": "403 403 404",
            "member": "200 200 200",
            "muted": "200 200 200",
            "banned": "403 403 404",
            "other_leader": "403 403 404",
            "leader": "200 200 200",
            "owner": "403 403 403",
            "staff": "403 403 403",
        },
    ),
    "welcome": (
        "get",
        {
            "anonymous": ALL_LOGIN,
            "outsider": "302 404 404",
            "requester": "302 404 404",
            "member": "200 200 200",
            "muted": "200 200 200",
            "banned": "403 404 404",
            "other_leader": "302 404 404",
            "leader": "200 200 200",
            "owner": "200 200 200",
            "staff": "302 302 302",
        },
    ),
    "accept_rules": (
        "get",
        {
            "anonymous": ALL_LOGIN,
            "outsider": "302 302 404",
            "requester": "302 302 404",
            "member": "200 200 200",
            "muted": "200 200 200",
            "banned": "302 302 404",
            "other_leader": "302 302 404",
            "leader": "200 200 200",
            "owner": "200 200 200",
            "staff": "302 302 302",
        },
    ),
    "listed": (
        "post",
        {
            "anonymous": ALL_LOGIN,
            "outsider": "403 403 404",
            "requester": "403 403 404",
            "member": "302 302 302",
            "muted": "302 302 302",
            "banned": "403 403 404",
            "other_leader": "403 403 404",
            "leader": "302 302 302",
            "owner": "302 302 302",
            "staff": "403 403 403",
        },
    ),
    "members": (
        "get",
        {
            "anonymous": "login login login",
            "outsider": "403 404 404",
            "requester": "403 404 404",
            "member": "200 200 200",
            "muted": "200 200 200",
            "banned": "403 404 404",
            "other_leader": "403 404 404",
            "leader": "200 200 200",
            "owner": "200 200 200",
            "staff": "200 200 200",
        },
    ),
}
LEADERS_ONLY = {
    "anonymous": ALL_LOGIN,
    "outsider": "403 403 404",
    "requester": "403 403 404",
    "member": "403 403 403",
    "muted": "403 403 403",
    "banned": "403 403 404",
    "other_leader": "403 403 404",
    "leader": "200 200 200",
    "owner": "200 200 200",
    "staff": "200 200 200",
}
OWNER_ONLY = {**LEADERS_ONLY, "leader": "403 403 403"}
LEADERS_POST = {role: cells.replace("200", "302") for role, cells in LEADERS_ONLY.items()}
# Reading and writing threads: content of private and hidden groups is 404 to outsiders.
READERS = {
    "anonymous": ALL_LOGIN,
    "outsider": "200 404 404",
    "requester": "200 404 404",
    "member": "200 200 200",
    "muted": "200 200 200",
    "banned": "403 404 404",
    "other_leader": "200 404 404",
    "leader": "200 200 200",
    "owner": "200 200 200",
    "staff": "200 200 200",
}
WRITERS = {
    **READERS,
    "outsider": "403 404 404",
    "requester": "403 404 404",
    "muted": "403 403 403",
    "other_leader": "403 404 404",
}
AUTHOR_ONLY = {
    **WRITERS,
    "muted": "403 403 403",
    "leader": "403 403 403",
    "owner": "403 403 403",
    "staff": "403 403 403",
}
MODERATORS = {**WRITERS, "member": "403 403 403", "muted": "403 403 403"}
TABLE |= {
    "threads": ("get", READERS),
    "thread": ("get", READERS),
    "thread_create": ("get", {**WRITERS, "outsider": "403 403 404",
                              "requester": "403 403 404", "other_leader": "403 403 404",
                              "banned": "403 403 404"}),
    "reply": ("post", {role: cells.replace("200", "302") for role, cells in WRITERS.items()}),
    "post_edit": ("get", {**AUTHOR_ONLY, "member": "200 200 200"}),
    "post_delete": ("get", {**AUTHOR_ONLY, "member": "200 200 200"}),
    "react": ("post", {role: cells.replace("200", "302") for role, cells in WRITERS.items()}),
    "report": ("get", {**WRITERS, "muted": "200 200 200"}),
    "thread_moderate": ("post", {r: c.replace("200", "302") for r, c in MODERATORS.items()}),
    "post_history": ("get", MODERATORS),
    "held": ("get", MODERATORS),
    # A held post is invisible (404) to everyone but its author and the moderators.
    "held_decide": ("post", {**{r: c.replace("200", "302") for r, c in MODERATORS.items()},
                             "outsider": "404 404 404", "requester": "404 404 404",
                             "member": "404 404 404", "muted": "404 404 404",
                             "other_leader": "404 404 404"}),
    "reports": ("get", MODERATORS),
}  # fmt: skip
# Queue items belong to the group: its leaders and admins see them, nobody else
# learns they exist.
QUEUE = {role: "404 404 404" for role in ROLES} | {
    "anonymous": ALL_LOGIN,
    "leader": "200 200 200",
    "owner": "200 200 200",
    "staff": "200 200 200",
}
TABLE |= {
    "member_report": ("get", {**WRITERS, "outsider": "403 403 404", "requester": "403 403 404",
                              "other_leader": "403 403 404", "banned": "403 403 404",
                              "muted": "200 200 200"}),
    "moderation_item": ("get", QUEUE),
    "moderation_claim": ("post", {r: c.replace("200", "302") for r, c in QUEUE.items()}),
    "moderation_act": ("post", {r: c.replace("200", "302") for r, c in QUEUE.items()}),
    "appeal": ("get", {role: "404 404 404" for role in ROLES} | {
        "anonymous": ALL_LOGIN, "muted": "200 200 200"}),
}  # fmt: skip
# Chat is for members, even in a public group; the leaders' room for leaders.
CHAT = {
    **READERS,
    "outsider": "403 404 404",
    "requester": "403 404 404",
    "other_leader": "403 404 404",
}
CHAT_LEADERS = {**CHAT, "member": "403 403 403", "muted": "403 403 403"}
TABLE |= {
    "chat": ("get", CHAT),
    "chat_settings": ("post", {r: c.replace("200", "302") for r, c in CHAT_LEADERS.items()}),
    "leaders_chat": ("get", CHAT_LEADERS),
    "leaders_chat_settings": ("post", {r: c.replace("200", "302")
                                       for r, c in CHAT_LEADERS.items()}),
    "chat_message_delete": ("post", {r: c.replace("200", "302")
                                     for r, c in CHAT_LEADERS.items()}),
    "chat_message_report": ("get", CHAT),
    "support": ("get", {**READERS, "banned": "403 404 404"}),
}  # fmt: skip
TABLE |= {
    "edit": ("get", LEADERS_ONLY),
    "requests": ("get", LEADERS_ONLY),
    "request_decide": ("post", LEADERS_POST),
    "member_action": ("get", LEADERS_ONLY),
    "invites": ("get", LEADERS_ONLY),
    "invite_revoke": ("post", LEADERS_POST),
    "log": ("get", OWNER_ONLY),
}


for _method, _expectations in TABLE.values():
    _expectations.setdefault("staff_no_2fa", _expectations[STAFF_WITHOUT_TWO_FACTOR_IS])


# Short names in the table, and where each lives now.
QUALIFIED = {
    **{name: f"forum:{name}" for name in [
        "threads", "thread", "thread_create", "reply", "post_edit", "post_delete", "react",
        "report", "thread_moderate", "post_history", "held", "held_decide", "reports"]},
    "chat": "chat:room", "leaders_chat": "chat:leaders_room", "chat_settings": "chat:settings",
    "leaders_chat_settings": "chat:leaders_settings",
    "chat_message_delete": "chat:message_delete", "chat_message_report": "chat:message_report",
    "support": "moderation:support", "member_report": "moderation:member_report",
    "moderation_item": "moderation:item", "moderation_claim": "moderation:claim",
    "moderation_act": "moderation:act", "appeal": "moderation:appeal",
}  # fmt: skip

POST_DATA = {
    "reply": {"body": "Thank you for this."},
    "react": {"kind": "strength"},
    "moderation_act": {"action": "keep"},
}


class World:
    """One group of the given kind with a person in every role. Names never look alike,
    so the worlds of all three kinds can live in the database at once."""

    def __init__(self, kind: str):
        visibility = {"public": "public", "private": "private", "hidden": "hidden"}[kind]
        policy = {"public": "open", "private": "request", "hidden": "invite"}[kind]
        self.owner = person("Owner")
        self.group = make_group(
            name=f"The {kind} group", visibility=visibility, join_policy=policy, owner=self.owner
        )
        self.people = {"anonymous": None, "owner": self.owner}
        self.people["outsider"] = person("Outsider")
        for role, state, extra in [
            ("requester", Membership.State.REQUESTED, {}),
            ("member", Membership.State.ACTIVE, {}),
            ("muted", Membership.State.ACTIVE,
             {"muted_until": timezone.now() + datetime.timedelta(hours=1)}),
            ("banned", Membership.State.BANNED, {}),
        ]:  # fmt: skip
            someone = person(role.title())
            add_member(self.group, someone, state=state, **extra)
            self.people[role] = someone
        leader = person("Leader")
        add_member(self.group, leader, role=Membership.Role.LEADER)
        self.people["leader"] = leader
        other_leader = person("Elsewhere Leader")
        make_group(name=f"Another {kind} group", owner=other_leader)
        self.people["other_leader"] = other_leader
        self.people["staff"] = make_staff(label="Staff")
        self.people["staff_no_2fa"] = make_staff(label="Staff", mfa=False)
        self.target = add_member(self.group, person("Target"))
        self.request = Membership.objects.get(group=self.group, user=self.people["requester"])
        self.invite = Invite.objects.create(group=self.group, created_by=self.owner)
        Membership.objects.filter(user=self.people["member"]).update(approved_post_count=10)
        self.thread = thread_services.thread_create(
            acting_user=self.owner, group=self.group, title="A thread", body="First post."
        )
        self.post = thread_services.post_create(
            acting_user=self.people["member"], thread=self.thread, body="A member's reply."
        )
        self.held = thread_services.post_create(
            acting_user=self.target.user, thread=self.thread, body="A new member's reply."
        )
        assert self.held.state == "held"
        self.report = reaction_services.post_report(
            acting_user=self.people["member"], post=self.thread.posts.get(number=1),
            reason="harassment",
        )  # fmt: skip
        self.chat_message, _created = chat_services.chat_message_send(
            acting_user=self.people["member"], room=chat_services.room_for(self.group),
            body="Hello, everyone.", client_msg_id=uuid.uuid4(),
        )  # fmt: skip
        self.mute = sanction_services.sanction_mute(
        acting_user=self.owner, membership=membership_of(self.group, self.people["muted"]),
            reason="Cooling off.", until=timezone.now() + datetime.timedelta(hours=2),
        )  # fmt: skip

    def url(self, name: str) -> str:
        return self._url(QUALIFIED.get(name, f"groups:{name}"), name)

    def _url(self, qualified: str, name: str) -> str:
        slug = self.group.slug
        if name == "request_decide":
            return reverse("groups:request_decide", args=[slug, self.request.pk, "approve"])
        if name == "member_action":
            return reverse("groups:member_action", args=[slug, self.target.pk, "remove"])
        if name == "invite_revoke":
            return reverse("groups:invite_revoke", args=[slug, self.invite.pk])
        if name in {"thread", "reply"}:
            return reverse(qualified, args=[slug, self.thread.pk])
        if name == "thread_moderate":
            return reverse(qualified, args=[slug, self.thread.pk, "pin"])
        if name in {"post_edit", "post_delete", "react", "report", "post_history"}:
            return reverse(qualified, args=[slug, self.post.pk])
        if name in {"chat_message_delete", "chat_message_report"}:
            return reverse(qualified, args=[slug, self.chat_message.pk])
        if name == "member_report":
            return reverse(qualified, args=[slug, self.target.pk])
        if name in {"moderation_item", "moderation_claim", "moderation_act"}:
            return reverse(qualified, args=[self.report.review_item_id])
        if name == "appeal":
            return reverse(qualified, args=[self.mute.pk])
        if name == "held_decide":
            return reverse(qualified, args=[slug, self.held.pk, "approve"])
        return reverse(qualified, args=[slug])


DIRECTORY_AND_CREATE = {
    # role: (directory, create)
    "anonymous": (200, "login"), "outsider": (200, 403), "requester": (200, 403),
    "member": (200, 403), "muted": (200, 403), "banned": (200, 403),
    "other_leader": (200, 200), "leader": (200, 200), "owner": (200, 200), "staff": (200, 200),
    "staff_no_2fa": (200, 403),
}  # fmt: skip

INVITE_ACCEPT = {
    "anonymous": "login", "outsider": 200, "requester": 200, "member": 302, "muted": 302,
    "banned": 200, "other_leader": 200, "leader": 302, "owner": 302, "staff": 200,
    "staff_no_2fa": 200,
}  # fmt: skip


@pytest.fixture(scope="class")
def built_worlds(class_db):
    """One World of each kind, built once for the class."""
    return {kind: World(kind) for kind in KINDS}


class Copies(dict):
    """kind -> this test's own copy of that kind's World, as it was just built (made on
    first use): nothing a test changes in memory, such as a membership cached on a user
    or a field set on an object, reaches the next test."""

    def __init__(self, built: dict[str, World]):
        super().__init__()
        self.built = built

    def __missing__(self, kind: str) -> World:
        self[kind] = copy.deepcopy(self.built[kind])
        return self[kind]


@pytest.fixture
def worlds(built_worlds, db):
    return Copies(built_worlds)


class TestEveryRoleInEveryKindOfGroup:
    """The tests that use the worlds, built once for this class. (The module's last test
    checks that no group is left behind: it runs after the class has rolled them back.)"""

    @pytest.mark.parametrize("kind", KINDS)
    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("url_name", sorted(TABLE))
    def test_group_url_by_role(self, client, worlds, kind, role, url_name):
        world = worlds[kind]
        method, expectations = TABLE[url_name]
        expected = row(expectations[role])[KINDS.index(kind)]
        person = world.people[role]
        if person is not None:
            client.force_login(person)
        response = getattr(client, method)(world.url(url_name), POST_DATA.get(url_name, {}))
        if expected == "login":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        else:
            assert response.status_code == int(expected), response.content[:500]
        if response.status_code in (200, 403, 404):
            assert 'class="help-now" href="/help/"' in response.text

    def test_staff_without_two_factor_sees_a_hidden_group_exactly_as_an_outsider(
        self, client, worlds
    ):
        world = worlds["hidden"]
        for name, (method, _expectations) in TABLE.items():
            seen = []
            for role in ("outsider", "staff_no_2fa"):
                client.force_login(world.people[role])
                response = getattr(client, method)(world.url(name), POST_DATA.get(name, {}))
                seen.append((response.status_code, without_per_response_tokens(response)))
            assert seen[0] == seen[1], name

    def test_hidden_groups_never_name_themselves_in_a_404(self, client, worlds):
        world = worlds["hidden"]
        client.force_login(world.people["outsider"])
        for name in TABLE:
            if TABLE[name][0] == "get":
                response = client.get(world.url(name))
                assert world.group.name not in response.text

    @pytest.mark.parametrize("role", ROLES)
    def test_directory_and_group_creation_by_role(self, client, worlds, role):
        world = worlds["public"]
        person = world.people[role]
        if person is not None:
            client.force_login(person)
        directory, create = DIRECTORY_AND_CREATE[role]
        assert client.get(reverse("groups:directory")).status_code == directory
        response = client.get(reverse("groups:create"))
        if create == "login":
            assert response["Location"].startswith(reverse("account_login"))
        else:
            assert response.status_code == create

    @pytest.mark.parametrize("role", ROLES)
    def test_invite_links_by_role(self, client, worlds, role):
        world = worlds["hidden"]
        person = world.people[role]
        if person is not None:
            client.force_login(person)
        response = client.get(reverse("groups:invite_accept", args=[world.invite.token]))
        expected = INVITE_ACCEPT[role]
        if expected == "login":
            assert response["Location"].startswith(reverse("account_login"))
        else:
            assert response.status_code == expected
        if role == "banned":
            assert "You have been banned from this group" in response.text


def without_per_response_tokens(response) -> str:
    """The page as text without what differs on every response (CSP nonce, CSRF token)."""
    text = response.content.decode()
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", text)


# Pages of a group that have tables of their own, below.
COVERED_BELOW = {"groups:directory", "groups:create", "groups:invite_accept"}


def covered_url_names() -> set[str]:
    return {QUALIFIED.get(name, f"groups:{name}") for name in TABLE} | COVERED_BELOW


def test_every_group_url_is_in_a_table():
    from django.urls import get_resolver

    group_pages = {
        f"{resolver.namespace}:{pattern.name}"
        for resolver in get_resolver().url_patterns
        if getattr(resolver, "app_name", None) in {"groups", "forum", "chat", "moderation"}
        for pattern in resolver.url_patterns
        if "slug" in pattern.pattern.regex.groupindex or resolver.app_name == "groups"
    }
    group_pages |= {"moderation:item", "moderation:claim", "moderation:act",
                    "moderation:appeal"}  # fmt: skip
    assert group_pages == covered_url_names()
    assert Group.objects.count() == 0
