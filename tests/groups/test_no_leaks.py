"""Hidden groups never show themselves to people outside them, members-only pages stay
members-only, and no page shows a member's email address.

The hidden-group world and the email world are each built once for the class of tests
that uses them (see `class_db` in tests/conftest.py), not once per test."""

import copy
import datetime
import html
import re

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from forum.services import threads as thread_services
from groups.models import Group, Invite, Membership, Topic
from groups.services import memberships as services
from groups.services import sanctions as sanction_services
from tests.factories import add_member, make_group, make_staff, make_user

pytestmark = pytest.mark.django_db

State = Membership.State
Role = Membership.Role

HIDDEN_NAME = "Zephyr Harbour Circle"
HIDDEN_SLUG = "zephyr-harbour-circle"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def section(text: str, heading_id: str) -> str:
    """The HTML of the directory section labelled by `heading_id`."""
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', text, re.S)
    return match.group(1) if match else ""


def card_count(text: str) -> int:
    return text.count('<li class="card">')


def member_count_on_card(text: str, name: str) -> str:
    match = re.search(
        rf">{re.escape(name)}</a></h3>\s*<p>[^<]*</p>\s*<p class=\"meta\">\s*(\d+ members?)", text
    )
    assert match, f"no card for {name}"
    return match.group(1)


def topic(name: str) -> Topic:
    made, _created = Topic.objects.get_or_create(
        slug=name.lower().replace(" ", "-"), defaults={"name": name}
    )
    return made


class HiddenWorld:
    """A hidden group with members; a public and a private group alongside it; people
    who stand outside the hidden group in every way there is."""

    def __init__(self):
        self.owner = make_user(display_name="Hidden Owner")
        self.hidden = make_group(
            name=HIDDEN_NAME, visibility=Group.Visibility.HIDDEN, owner=self.owner,
            short_description="Quiet support for a few.",
        )  # fmt: skip
        self.shared_topic = topic("Leaktest harbour topic")
        self.hidden.topics.add(self.shared_topic)
        self.hidden_member = make_user(display_name="Hidden Member")
        add_member(self.hidden, self.hidden_member)

        self.public = make_group(name="Open Meadow", owner=make_user())
        self.public.topics.add(self.shared_topic)
        self.private = make_group(
            name="Closed Garden", visibility=Group.Visibility.PRIVATE,
            join_policy=Group.JoinPolicy.REQUEST, owner=make_user(),
        )  # fmt: skip
        # Members of the hidden group who are also in the public group.
        for number in range(4):
            person = make_user(display_name=f"Crossover {number}")
            add_member(self.hidden, person)
            if number == 0:
                add_member(self.public, person)

        self.outsider = make_user(display_name="Plain Outsider")
        self.elsewhere = make_user(display_name="Elsewhere Member")
        add_member(self.public, self.elsewhere)
        add_member(self.private, self.elsewhere)
        self.banned = make_user(display_name="Banned Person")
        add_member(self.hidden, self.banned, state=State.BANNED, decision_reason="Selling.")
        self.left = make_user(display_name="Left Person")
        add_member(self.hidden, self.left, state=State.LEFT)
        self.removed = make_user(display_name="Removed Person")
        add_member(self.hidden, self.removed, state=State.REMOVED)
        self.requester = make_user(display_name="Requester Person")
        self.request = add_member(self.hidden, self.requester, state=State.REQUESTED)
        self.invite = Invite.objects.create(group=self.hidden, created_by=self.owner)
        self.thread = thread_services.thread_create(
            acting_user=self.owner, group=self.hidden, title="Our quiet thread", body="Hello."
        )
        self.post = self.thread.posts.get()


@pytest.fixture(scope="class")
def built_world(class_db):
    return HiddenWorld()


@pytest.fixture
def world(built_world, db):
    """This test's own copy of the world, as it was just built: nothing a test changes
    in memory (an invite it revokes, a membership cached on a user) reaches the next.
    What it changes in the database is rolled back after it (see `class_db`)."""
    return copy.deepcopy(built_world)


OUTSIDERS = ["anonymous", "outsider", "elsewhere", "banned", "left", "removed", "requester"]


def log_in_as(client, world, who):
    if who != "anonymous":
        client.force_login(getattr(world, who))


def group_urls(world) -> list[tuple[str, str]]:
    """(url name, path) for every URL of ours that names a group, filled in with real
    objects of the hidden group where it takes one."""
    membership = Membership.objects.get(group=world.hidden, user=world.hidden_member)
    pk_for = {
        "groups:request_decide": world.request.pk,
        "groups:member_action": membership.pk,
        "groups:invite_revoke": world.invite.pk,
        "moderation:member_report": membership.pk,
    }
    fixed = {"decision": "approve", "action": "ban", "change": "pin"}
    urls = []
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "app_name", None) not in {"groups", "forum", "chat", "moderation"}:
            continue
        for inner in pattern.url_patterns:
            name = f"{pattern.namespace}:{inner.name}"
            kwargs = dict.fromkeys(inner.pattern.regex.groupindex, "")
            if "slug" not in kwargs:
                continue
            for arg in kwargs:
                if arg == "slug":
                    kwargs[arg] = HIDDEN_SLUG
                elif arg == "pk":
                    kwargs[arg] = pk_for.get(name) or (
                        world.thread.pk
                        if "thread" in inner.name or inner.name == "reply"
                        else world.post.pk
                    )
                else:
                    kwargs[arg] = fixed[arg]
            urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


class TestAroundAHiddenGroup:
    """Tests that share one HiddenWorld, built once for the class."""

    # The directory

    @pytest.mark.parametrize("who", OUTSIDERS)
    def test_a_hidden_group_is_not_in_the_directory_for_anyone_outside_it(self, client, world, who):
        log_in_as(client, world, who)
        for params in (
            {},
            {"sort": "members"},
            {"sort": "name"},
            {"topic": world.shared_topic.slug},
        ):
            response = client.get(reverse("groups:directory"), params)
            assert response.status_code == 200
            text = page_text(response)
            assert HIDDEN_NAME not in text
            assert HIDDEN_SLUG not in text
            assert "Quiet support for a few." not in text
        assert "Open Meadow" in page_text(
            client.get(reverse("groups:directory"), {"topic": world.shared_topic.slug})
        )

    @pytest.mark.parametrize("who", OUTSIDERS)
    @pytest.mark.parametrize("query", [HIDDEN_NAME, "Zephyr", "Quiet support for a few."])
    def test_searching_the_directory_for_a_hidden_group_finds_nothing(
        self, client, world, who, query
    ):
        log_in_as(client, world, who)
        text = page_text(client.get(reverse("groups:directory"), {"q": query}))
        assert HIDDEN_SLUG not in text
        assert "No groups match." in text
        assert card_count(text) == 0

    def test_a_hidden_groups_members_do_not_change_counts_on_other_pages(self, client, world):
        client.force_login(world.outsider)
        text = page_text(client.get(reverse("groups:directory")))
        # Open Meadow: its owner, Crossover 0 and the member from elsewhere.
        assert member_count_on_card(text, "Open Meadow") == "3 members"
        assert member_count_on_card(text, "Closed Garden") == "2 members"
        assert card_count(text) == 2
        detail = page_text(client.get(reverse("groups:detail", args=[world.public.slug])))
        assert re.search(r"<p class=\"meta\">\s*3 members", detail)

    def test_members_of_a_hidden_group_see_it_under_your_groups(self, client, world):
        client.force_login(world.hidden_member)
        text = page_text(client.get(reverse("groups:directory")))
        assert HIDDEN_NAME in section(text, "mine-heading")
        assert HIDDEN_NAME not in section(text, "all-heading")
        assert member_count_on_card(text, HIDDEN_NAME) == "6 members"
        searched = page_text(client.get(reverse("groups:directory"), {"q": "Zephyr"}))
        assert HIDDEN_NAME in section(searched, "mine-heading")

    def test_a_former_member_of_a_hidden_group_no_longer_finds_it(self, client, world):
        client.force_login(world.hidden_member)
        services.membership_leave(acting_user=world.hidden_member, group=world.hidden)
        text = page_text(client.get(reverse("groups:directory")))
        assert HIDDEN_NAME not in text
        assert client.get(reverse("groups:detail", args=[HIDDEN_SLUG])).status_code == 404

    # Every page of a hidden group, for everyone outside it

    @pytest.mark.parametrize("who", [who for who in OUTSIDERS if who != "anonymous"])
    def test_every_url_of_a_hidden_group_answers_as_if_it_did_not_exist(self, client, world, who):
        log_in_as(client, world, who)
        urls = group_urls(world)
        assert len(urls) >= 20
        for method in ("get", "post"):
            for name, url in urls:
                response = getattr(client, method)(url)
                missing = getattr(client, method)(url.replace(HIDDEN_SLUG, "no-such-group-here"))
                where = (method, name, url)
                assert response.status_code == missing.status_code, where
                assert response.status_code in (404, 405), where
                text = page_text(response)
                assert HIDDEN_NAME not in text, where
                assert "Quiet support" not in text, where
                assert "Our quiet thread" not in text, where
                if response.status_code == 404:
                    assert "<title>Page not found · peersupport</title>" in text, where
        assert Membership.objects.get(group=world.hidden, user=world.hidden_member).is_active
        world.invite.refresh_from_db()
        assert world.invite.revoked_at is None

    def test_a_hidden_group_looks_exactly_like_a_group_that_does_not_exist(self, client, world):
        client.force_login(world.outsider)
        hidden = client.get(reverse("groups:detail", args=[HIDDEN_SLUG]))
        missing = client.get(reverse("groups:detail", args=["no-such-group-at-all"]))
        assert hidden.status_code == missing.status_code == 404
        strip = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')
        assert strip.sub("", hidden.text) == strip.sub("", missing.text)

    def test_anonymous_visitors_get_a_404_for_a_hidden_group(self, client, world):
        response = client.get(reverse("groups:detail", args=[HIDDEN_SLUG]))
        assert response.status_code == 404
        assert HIDDEN_NAME not in page_text(response)

    def test_a_banned_member_of_a_hidden_group_gets_a_404(self, client, world):
        client.force_login(world.banned)
        for name in ("detail", "members", "welcome"):
            response = client.get(reverse(f"groups:{name}", args=[HIDDEN_SLUG]))
            assert response.status_code == 404
            assert HIDDEN_NAME not in page_text(response)
        assert HIDDEN_NAME not in page_text(client.get(reverse("groups:directory")))

    @pytest.mark.parametrize("how", ["revoked", "expired", "used up"])
    def test_a_dead_invite_link_does_not_name_its_hidden_group(self, client, world, how):
        if how == "revoked":
            world.invite.revoked_at = timezone.now()
        elif how == "expired":
            world.invite.expires_at = timezone.now() - datetime.timedelta(hours=1)
        else:
            world.invite.max_uses, world.invite.use_count = 1, 1
        world.invite.save()
        client.force_login(world.outsider)
        response = client.get(reverse("groups:invite_accept", args=[world.invite.token]))
        assert response.status_code == 410
        text = page_text(response)
        assert "This invite link no longer works" in text
        assert HIDDEN_NAME not in text
        assert "Quiet support" not in text

    def test_a_working_invite_link_does_not_name_the_group_to_someone_banned_from_it(
        self, client, world
    ):
        client.force_login(world.banned)
        response = client.get(reverse("groups:invite_accept", args=[world.invite.token]))
        text = page_text(response)
        assert "You have been banned from this group." in text
        assert HIDDEN_NAME not in text
        assert not Membership.objects.filter(
            group=world.hidden, user=world.banned, state=State.ACTIVE
        ).exists()

    def test_an_unknown_invite_token_is_a_404(self, client, world):
        client.force_login(world.outsider)
        assert (
            client.get(reverse("groups:invite_accept", args=["not-a-real-token"])).status_code
            == 404
        )


# Private groups: the door is visible, the room is not


def test_a_non_member_sees_a_private_groups_about_and_rules_but_not_its_members(client):
    owner = make_user(display_name="Garden Keeper")
    group = make_group(
        name="Closed Garden", visibility=Group.Visibility.PRIVATE,
        join_policy=Group.JoinPolicy.REQUEST, owner=owner,
        about="For people tapering off benzodiazepines.", rules="No dosing advice.",
    )  # fmt: skip
    secret_member = make_user(display_name="Secret Sparrow")
    add_member(group, secret_member)
    client.force_login(make_user())

    detail = client.get(reverse("groups:detail", args=[group.slug]))
    assert detail.status_code == 200
    text = page_text(detail)
    assert "For people tapering off benzodiazepines." in text
    assert "No dosing advice." in text
    assert "Secret Sparrow" not in text
    assert reverse("groups:members", args=[group.slug]) not in text

    members = client.get(reverse("groups:members", args=[group.slug]))
    assert members.status_code == 404
    assert "Secret Sparrow" not in page_text(members)
    assert "Closed Garden" not in page_text(members)


def test_a_declined_requester_of_a_private_group_sees_the_reason(client):
    owner = make_user()
    group = make_group(
        visibility=Group.Visibility.PRIVATE, join_policy=Group.JoinPolicy.REQUEST, owner=owner
    )
    requester = make_user()
    asked = services.membership_request(
        acting_user=requester, group=group, message="Hello", accepted_rules=True
    )
    services.membership_decline(
        acting_user=owner, membership=asked, reason="This group is for women; try Open Meadow."
    )
    client.force_login(requester)
    response = client.get(reverse("groups:detail", args=[group.slug]))
    assert response.status_code == 200
    text = page_text(response)
    assert "Your last request to join was declined." in text
    assert "This group is for women; try Open Meadow." in text
    assert client.get(reverse("groups:members", args=[group.slug])).status_code == 404


# Email addresses stay private

SECRET_EMAILS = {
    "owner": "olive.owner.q7x@private-mail.example",
    "leader": "lee.leader.k2v@private-mail.example",
    "member": "may.member.w9z@private-mail.example",
    "hidden": "hal.hidden.p4r@private-mail.example",
    "requester": "rae.requester.m3n@private-mail.example",
    "declined": "dee.declined.b8c@private-mail.example",
    "removed": "ron.removed.t6y@private-mail.example",
    "banned": "ben.banned.f1g@private-mail.example",
    "staff": "sam.staff.j5h@private-mail.example",
}


def assert_no_email(text: str) -> None:
    for email in SECRET_EMAILS.values():
        assert email not in text
        assert email.split("@")[0] not in text
    assert "private-mail.example" not in text
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), re.findall(r"[\w.+-]+@[\w.-]+", text)


@pytest.fixture(scope="class")
def built_email_world(class_db):
    people = {
        role: (make_staff if role == "staff" else make_user)(
            email=email, display_name=f"{role.title()} Someone"
        )
        for role, email in SECRET_EMAILS.items()
    }
    group = make_group(
        name="Email Test Group", visibility=Group.Visibility.PRIVATE,
        join_policy=Group.JoinPolicy.REQUEST, owner=people["owner"],
    )  # fmt: skip
    add_member(group, people["leader"], role=Role.LEADER)
    for role in ("member", "hidden", "removed", "banned", "staff"):
        add_member(group, people[role])
    for role in ("requester", "declined"):
        services.membership_request(
            acting_user=people[role], group=group, message=f"From {role}", accepted_rules=True
        )
    Membership.objects.filter(group=group, user=people["hidden"]).update(
        hidden_from_member_list=True
    )
    owner, leader = people["owner"], people["leader"]
    services.membership_decline(
        acting_user=leader,
        membership=Membership.objects.get(group=group, user=people["declined"]),
        reason="Not now.",
    )
    for role, service in (
        ("removed", sanction_services.sanction_remove),
        ("banned", sanction_services.sanction_ban),
    ):
        service(
            acting_user=leader,
            membership=Membership.objects.get(group=group, user=people[role]),
            reason=f"Reason for {role}",
        )
    services.leader_appoint(
        acting_user=owner, membership=Membership.objects.get(group=group, user=people["member"])
    )
    services.invite_create(acting_user=leader, group=group)
    return group, people


@pytest.fixture
def email_world(built_email_world, db):
    """This test's own copy of (group, people), as built once for the class."""
    return copy.deepcopy(built_email_world)


class TestEmailAddresses:
    """Tests that share one email world, built once for the class."""

    @pytest.mark.parametrize("viewer", ["owner", "leader", "member", "hidden", "staff"])
    def test_the_members_page_never_shows_an_email_address(self, client, email_world, viewer):
        group, people = email_world
        client.force_login(people[viewer])
        response = client.get(reverse("groups:members", args=[group.slug]))
        assert response.status_code == 200
        text = page_text(response)
        assert "Member Someone" in text
        assert_no_email(text)

    @pytest.mark.parametrize("viewer", ["owner", "leader", "staff"])
    def test_the_requests_page_never_shows_an_email_address(self, client, email_world, viewer):
        group, people = email_world
        client.force_login(people[viewer])
        response = client.get(reverse("groups:requests", args=[group.slug]))
        assert response.status_code == 200
        text = page_text(response)
        assert "Requester Someone" in text
        assert "From requester" in text
        assert_no_email(text)

    @pytest.mark.parametrize("viewer", ["owner", "staff"])
    def test_the_moderation_log_never_shows_an_email_address(self, client, email_world, viewer):
        group, people = email_world
        client.force_login(people[viewer])
        response = client.get(reverse("groups:log", args=[group.slug]))
        assert response.status_code == 200
        text = page_text(response)
        assert "Reason for banned" in text
        assert "Banned Someone" in text
        assert_no_email(text)

    def test_the_group_page_and_directory_never_show_an_email_address(self, client, email_world):
        group, people = email_world
        for viewer in ("owner", "member", "declined", "banned"):
            client.force_login(people[viewer])
            assert_no_email(page_text(client.get(reverse("groups:detail", args=[group.slug]))))
            assert_no_email(page_text(client.get(reverse("groups:directory"))))
