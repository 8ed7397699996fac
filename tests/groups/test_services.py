"""Every service in groups/services/: who may call it, what it changes, and the one
moderation log row each leader, owner and administrator action leaves behind."""

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from groups import permissions, selectors
from groups.models import Group, Invite, Membership, ModerationLogEntry, SiteSettings, Topic
from groups.services import groups as group_services
from groups.services import memberships as services
from groups.services import sanctions as sanction_services
from tests.factories import add_member, fresh, make_group, make_staff, make_user, membership_of

pytestmark = pytest.mark.django_db

State = Membership.State
Role = Membership.Role
Action = ModerationLogEntry.Action


# Helpers


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def active_owners(group) -> list[int]:
    return list(
        Membership.objects.filter(group=group, role=Role.OWNER, state=State.ACTIVE).values_list(
            "user_id", flat=True
        )
    )


class World:
    """One group with a person in every role, plus people outside it."""

    def __init__(self, *, visibility=Group.Visibility.PUBLIC, join_policy=Group.JoinPolicy.OPEN):
        self.owner = make_user(display_name="Owner Olive")
        self.group = make_group(
            name="Morning Coffee", visibility=visibility, join_policy=join_policy, owner=self.owner
        )
        self.leader = make_user(display_name="Leader Lee")
        add_member(self.group, self.leader, role=Role.LEADER)
        self.other_leader = make_user(display_name="Leader Lou")
        add_member(self.group, self.other_leader, role=Role.LEADER)
        self.member = make_user(display_name="Member May")
        add_member(self.group, self.member)
        self.staff = make_staff(display_name="Staff Sam")
        self.staff_member = make_staff(display_name="Staff Sue")
        add_member(self.group, self.staff_member)
        self.outsider = make_user(display_name="Outsider Otto")

    def m(self, user) -> Membership:
        return membership_of(self.group, user)


@pytest.fixture
def world():
    return World()


@pytest.fixture
def request_world():
    return World(visibility=Group.Visibility.PRIVATE, join_policy=Group.JoinPolicy.REQUEST)


def make_topic(name="Test topic: mornings") -> Topic:
    topic, _created = Topic.objects.get_or_create(
        slug=name.lower().replace(" ", "-").replace(":", ""), defaults={"name": name}
    )
    return topic


def group_fields(name="Evening Walks", **extra):
    fields = {
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "short_description": "Walking together after work.",
        "rules": "Be kind.",
    }
    return fields | extra


# group_create and group_approve


def test_staff_create_an_active_group_and_become_its_owner():
    staff = make_staff()
    topic = make_topic()
    group = group_services.group_create(acting_user=staff, topics=[topic], **group_fields())
    assert group.status == Group.Status.ACTIVE
    assert list(group.topics.all()) == [topic]
    owner = membership_of(group, staff)
    assert (owner.role, owner.state) == (Role.OWNER, State.ACTIVE)
    assert owner.accepted_rules_version == group.rules_version
    assert not owner.needs_to_accept_rules


def test_a_trusted_member_proposes_a_group_that_waits_for_approval():
    trusted = make_user(is_trusted=True)
    group = group_services.group_create(acting_user=trusted, **group_fields())
    assert group.status == Group.Status.PROPOSED
    assert group.proposed_by == trusted
    assert membership_of(group, trusted).role == Role.OWNER


def test_a_peer_leader_elsewhere_may_propose_a_group():
    leader = make_user()
    make_group(owner=leader)
    group = group_services.group_create(acting_user=leader, **group_fields())
    assert group.status == Group.Status.PROPOSED


def test_an_untrusted_member_cannot_create_a_group():
    with pytest.raises(PermissionDenied):
        group_services.group_create(acting_user=make_user(), **group_fields())
    assert not Group.objects.exists()
    assert not ModerationLogEntry.objects.exists()


def test_trusted_members_cannot_propose_when_the_site_turns_proposals_off():
    SiteSettings.objects.update_or_create(pk=1, defaults={"members_can_propose_groups": False})
    with pytest.raises(PermissionDenied):
        group_services.group_create(acting_user=make_user(is_trusted=True), **group_fields())
    group = group_services.group_create(acting_user=make_staff(), **group_fields())
    assert group.status == Group.Status.ACTIVE


def test_a_group_with_a_reserved_slug_is_refused():
    with pytest.raises(ValidationError) as error:
        group_services.group_create(acting_user=make_staff(), **group_fields(slug="new"))
    assert "slug" in error.value.message_dict
    assert not Group.objects.exists()


def test_a_proposal_is_invisible_to_others_until_an_administrator_approves_it(client):
    trusted = make_user(is_trusted=True)
    group = group_services.group_create(acting_user=trusted, **group_fields("Night Owls"))
    other = make_user()
    staff = make_staff()

    assert group not in permissions.groups_visible_to(other)
    assert group not in selectors.directory(other)
    assert group in permissions.groups_visible_to(trusted)
    assert group in permissions.groups_visible_to(staff)
    with pytest.raises(Http404):
        permissions.get_group_for_user(other, group.slug)
    client.force_login(other)
    assert client.get(reverse("groups:detail", args=[group.slug])).status_code == 404
    assert "Night Owls" not in client.get(reverse("groups:directory")).text

    group_services.group_approve(acting_user=staff, group=group)

    group.refresh_from_db()
    assert group.status == Group.Status.ACTIVE
    other = fresh(other)
    assert group in selectors.directory(other)
    assert client.get(reverse("groups:detail", args=[group.slug])).status_code == 200
    assert "Night Owls" in client.get(reverse("groups:directory")).text


def test_only_administrators_approve_proposals():
    trusted = make_user(is_trusted=True)
    group = group_services.group_create(acting_user=trusted, **group_fields())
    with pytest.raises(PermissionDenied):
        group_services.group_approve(acting_user=trusted, group=group)
    group.refresh_from_db()
    assert group.status == Group.Status.PROPOSED


def test_approving_a_group_twice_is_refused():
    staff = make_staff()
    group = group_services.group_create(acting_user=make_user(is_trusted=True), **group_fields())
    group_services.group_approve(acting_user=staff, group=group)
    with pytest.raises(ValidationError):
        group_services.group_approve(acting_user=staff, group=group)
    assert ModerationLogEntry.objects.filter(action=Action.GROUP_APPROVED).count() == 1


# group_update


def test_a_leader_edits_the_words_of_the_group(world):
    topic = make_topic()
    group_services.group_update(
        acting_user=world.leader, group=world.group, short_description="Coffee and talk.",
        about="We meet at eight.", welcome_message="Hello!", topics=[topic],
    )  # fmt: skip
    world.group.refresh_from_db()
    assert world.group.short_description == "Coffee and talk."
    assert world.group.about == "We meet at eight."
    assert world.group.welcome_message == "Hello!"
    assert list(world.group.topics.all()) == [topic]


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Afternoon Tea"),
        ("visibility", Group.Visibility.PRIVATE),
        ("join_policy", Group.JoinPolicy.REQUEST),
    ],
)
def test_a_leader_cannot_change_the_name_visibility_or_join_policy(world, field, value):
    before = getattr(world.group, field)
    with pytest.raises(PermissionDenied):
        group_services.group_update(acting_user=world.leader, group=world.group, **{field: value})
    world.group.refresh_from_db()
    assert getattr(world.group, field) == before
    assert not ModerationLogEntry.objects.filter(group=world.group).exists()


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_the_owner_or_staff_change_the_name_visibility_and_join_policy(world, who):
    group_services.group_update(
        acting_user=getattr(world, who), group=world.group, name="Afternoon Tea",
        visibility=Group.Visibility.PRIVATE, join_policy=Group.JoinPolicy.REQUEST,
    )  # fmt: skip
    world.group.refresh_from_db()
    assert world.group.name == "Afternoon Tea"
    assert world.group.visibility == Group.Visibility.PRIVATE
    assert world.group.join_policy == Group.JoinPolicy.REQUEST


def test_a_leader_may_send_the_unchanged_name_along_with_new_words(world):
    group_services.group_update(
        acting_user=world.leader, group=world.group, name=world.group.name, about="New words."
    )
    world.group.refresh_from_db()
    assert world.group.about == "New words."


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_a_member_or_outsider_cannot_edit_the_group(world, who):
    with pytest.raises(PermissionDenied):
        group_services.group_update(
            acting_user=getattr(world, who), group=world.group, about="Mine now."
        )


def test_fields_outside_the_edit_lists_cannot_be_changed(world):
    with pytest.raises(ValueError, match="status"):
        group_services.group_update(
            acting_user=world.owner, group=world.group, status=Group.Status.ARCHIVED
        )
    world.group.refresh_from_db()
    assert world.group.status == Group.Status.ACTIVE


def test_the_owner_cannot_make_an_open_group_hidden_without_making_it_invite_only(world):
    with pytest.raises(ValidationError):
        group_services.group_update(
            acting_user=world.owner, group=world.group, visibility=Group.Visibility.HIDDEN
        )
    world.group.refresh_from_db()
    assert world.group.visibility == Group.Visibility.PUBLIC


def test_changing_the_rules_asks_every_member_to_accept_them_again(world):
    assert not world.m(world.member).needs_to_accept_rules
    group_services.group_update(
        acting_user=world.leader, group=world.group, rules="Be kind. No dosing advice."
    )
    world.group.refresh_from_db()
    assert world.group.rules_version == 2
    assert world.m(world.member).needs_to_accept_rules
    assert world.m(world.owner).needs_to_accept_rules

    services.membership_accept_rules(acting_user=world.member, group=world.group)

    assert not world.m(world.member).needs_to_accept_rules
    assert world.m(world.member).accepted_rules_version == 2


def test_saving_the_same_rules_keeps_the_rules_version(world):
    group_services.group_update(
        acting_user=world.leader, group=world.group, rules=world.group.rules, about="Hi."
    )
    world.group.refresh_from_db()
    assert world.group.rules_version == 1
    assert not world.m(world.member).needs_to_accept_rules


def test_only_members_accept_a_groups_rules(world):
    with pytest.raises(PermissionDenied):
        services.membership_accept_rules(acting_user=world.outsider, group=world.group)


def test_saving_a_group_without_changes_writes_no_log_row(world):
    topic = make_topic()
    world.group.topics.set([topic])
    group_services.group_update(
        acting_user=world.leader, group=world.group, about=world.group.about, topics=[topic]
    )
    rows = list(ModerationLogEntry.objects.values_list("action", "details"))
    assert rows == [], rows


# membership_join


def test_anyone_signed_in_joins_an_open_group_after_accepting_its_rules(world):
    joined = services.membership_join(
        acting_user=world.outsider, group=world.group, accepted_rules=True
    )
    assert (joined.state, joined.role) == (State.ACTIVE, Role.MEMBER)
    assert joined.joined_at is not None
    assert joined.accepted_rules_version == world.group.rules_version
    assert not world.m(world.outsider).needs_to_accept_rules


def test_joining_without_accepting_the_rules_is_refused_with_an_accept_rules_error(world):
    with pytest.raises(ValidationError) as error:
        services.membership_join(
            acting_user=world.outsider, group=world.group, accepted_rules=False
        )
    assert "accept_rules" in error.value.message_dict
    assert not Membership.objects.filter(user=world.outsider).exists()


@pytest.mark.parametrize("policy", [Group.JoinPolicy.REQUEST, Group.JoinPolicy.INVITE])
def test_only_open_groups_can_be_joined_directly(policy):
    group = make_group(join_policy=policy, owner=make_user())
    outsider = make_user()
    with pytest.raises(PermissionDenied):
        services.membership_join(acting_user=outsider, group=group, accepted_rules=True)
    assert not Membership.objects.filter(user=outsider).exists()


def test_an_outsider_cannot_join_a_hidden_group_whose_existence_they_do_not_know():
    group = make_group(visibility=Group.Visibility.HIDDEN, owner=make_user())
    with pytest.raises(Http404):
        services.membership_join(acting_user=make_user(), group=group, accepted_rules=True)


def test_a_member_cannot_join_again(world):
    with pytest.raises(PermissionDenied):
        services.membership_join(acting_user=world.member, group=world.group, accepted_rules=True)


def test_a_banned_person_cannot_join(world):
    sanction_services.sanction_ban(
        acting_user=world.leader, membership=world.m(world.member), reason="x"
    )
    with pytest.raises(PermissionDenied, match="banned"):
        services.membership_join(
            acting_user=fresh(world.member), group=world.group, accepted_rules=True
        )
    assert world.m(world.member).state == State.BANNED


def test_a_removed_member_can_rejoin_an_open_group(world):
    sanction_services.sanction_remove(
        acting_user=world.leader, membership=world.m(world.member), reason="Cool off."
    )
    rejoined = services.membership_join(
        acting_user=fresh(world.member), group=world.group, accepted_rules=True
    )
    assert rejoined.state == State.ACTIVE
    assert rejoined.decision_reason == ""
    assert Membership.objects.filter(user=world.member, group=world.group).count() == 1


def test_a_former_member_who_left_can_rejoin(world):
    services.membership_leave(acting_user=world.member, group=world.group)
    rejoined = services.membership_join(
        acting_user=world.member, group=world.group, accepted_rules=True
    )
    assert rejoined.state == State.ACTIVE


@pytest.mark.parametrize("how", ["join", "invite"])
def test_leaving_and_coming_back_does_not_lift_a_mute(world, how):
    until = timezone.now() + datetime.timedelta(days=2)
    Membership.objects.filter(group=world.group, user=world.member).update(muted_until=until)
    services.membership_leave(acting_user=world.member, group=world.group)
    if how == "join":
        services.membership_join(acting_user=world.member, group=world.group, accepted_rules=True)
    else:
        invite = services.invite_create(acting_user=world.leader, group=world.group)
        services.invite_accept(acting_user=world.member, invite=invite, accepted_rules=True)
    back = world.m(world.member)
    assert back.state == State.ACTIVE
    assert back.muted_until == until
    assert not permissions.can(fresh(world.member), permissions.Capability.POST, world.group)


def test_a_leader_who_left_and_rejoins_comes_back_as_a_plain_member(world):
    services.membership_leave(acting_user=world.leader, group=world.group)
    assert world.m(world.leader).role == Role.MEMBER
    rejoined = services.membership_join(
        acting_user=world.leader, group=world.group, accepted_rules=True
    )
    assert rejoined.role == Role.MEMBER


# membership_request, withdraw, approve, decline


def test_an_outsider_asks_to_join_a_group_that_takes_requests(request_world):
    w = request_world
    asked = services.membership_request(
        acting_user=w.outsider, group=w.group, message="I'm six months sober.", accepted_rules=True
    )
    assert asked.state == State.REQUESTED
    assert asked.request_message == "I'm six months sober."
    assert list(selectors.pending_requests(w.group)) == [asked]


def test_asking_without_accepting_the_rules_is_refused_with_an_accept_rules_error(request_world):
    with pytest.raises(ValidationError) as error:
        services.membership_request(
            acting_user=request_world.outsider, group=request_world.group, message="",
            accepted_rules=False,
        )  # fmt: skip
    assert "accept_rules" in error.value.message_dict
    assert not Membership.objects.filter(user=request_world.outsider).exists()


def test_nobody_asks_to_join_an_open_group(world):
    with pytest.raises(PermissionDenied):
        services.membership_request(
            acting_user=world.outsider, group=world.group, message="", accepted_rules=True
        )


def test_a_requester_cannot_ask_twice(request_world):
    w = request_world
    services.membership_request(
        acting_user=w.outsider, group=w.group, message="", accepted_rules=True
    )
    with pytest.raises(PermissionDenied):
        services.membership_request(
            acting_user=w.outsider, group=w.group, message="again", accepted_rules=True
        )


def test_a_requester_withdraws_their_request(request_world):
    w = request_world
    services.membership_request(
        acting_user=w.outsider, group=w.group, message="", accepted_rules=True
    )
    services.membership_withdraw(acting_user=w.outsider, group=w.group)
    assert w.m(w.outsider).state == State.WITHDRAWN
    assert not selectors.pending_requests(w.group).exists()


def test_withdrawing_without_a_request_waiting_is_refused(request_world):
    with pytest.raises(ValidationError):
        services.membership_withdraw(acting_user=request_world.outsider, group=request_world.group)
    with pytest.raises(ValidationError):
        services.membership_withdraw(acting_user=request_world.member, group=request_world.group)
    assert request_world.m(request_world.member).state == State.ACTIVE


def test_a_leader_approves_a_request_and_the_requester_becomes_a_member(request_world):
    w = request_world
    asked = services.membership_request(
        acting_user=w.outsider, group=w.group, message="", accepted_rules=True
    )
    approved = services.membership_approve(acting_user=w.leader, membership=asked)
    assert (approved.state, approved.role) == (State.ACTIVE, Role.MEMBER)
    assert approved.decided_at is not None
    assert approved.joined_at is not None
    assert not w.m(w.outsider).needs_to_accept_rules


def test_approving_a_request_twice_is_refused(request_world):
    w = request_world
    asked = services.membership_request(
        acting_user=w.outsider, group=w.group, message="", accepted_rules=True
    )
    services.membership_approve(acting_user=w.leader, membership=asked)
    with pytest.raises(ValidationError):
        services.membership_approve(acting_user=w.other_leader, membership=asked)
    assert ModerationLogEntry.objects.filter(action=Action.REQUEST_APPROVED).count() == 1


def test_a_withdrawn_request_cannot_be_approved(request_world):
    w = request_world
    asked = services.membership_request(
        acting_user=w.outsider, group=w.group, message="", accepted_rules=True
    )
    services.membership_withdraw(acting_user=w.outsider, group=w.group)
    with pytest.raises(ValidationError):
        services.membership_approve(acting_user=w.leader, membership=asked)
    assert w.m(w.outsider).state == State.WITHDRAWN


def test_a_plain_member_cannot_answer_requests(request_world):
    w = request_world
    asked = services.membership_request(
        acting_user=w.outsider, group=w.group, message="", accepted_rules=True
    )
    with pytest.raises(PermissionDenied):
        services.membership_approve(acting_user=w.member, membership=asked)
    with pytest.raises(PermissionDenied):
        services.membership_decline(acting_user=w.member, membership=asked, reason="no")
    assert w.m(w.outsider).state == State.REQUESTED


def test_a_declined_request_keeps_its_reason_and_the_requester_sees_it_on_the_group_page(
    request_world, client
):
    w = request_world
    asked = services.membership_request(
        acting_user=w.outsider, group=w.group, message="", accepted_rules=True
    )
    reason = "We are full this month; please ask again in June."
    services.membership_decline(acting_user=w.leader, membership=asked, reason=reason)

    declined = w.m(w.outsider)
    assert declined.state == State.DECLINED
    assert declined.decision_reason == reason
    assert declined.decided_at is not None
    client.force_login(w.outsider)
    response = client.get(reverse("groups:detail", args=[w.group.slug]))
    assert response.status_code == 200
    assert "Your last request to join was declined." in page_text(response)
    assert reason in page_text(response)


def test_a_declined_requester_may_ask_again(request_world):
    w = request_world
    asked = services.membership_request(
        acting_user=w.outsider, group=w.group, message="", accepted_rules=True
    )
    services.membership_decline(acting_user=w.leader, membership=asked, reason="Not yet.")
    again = services.membership_request(
        acting_user=fresh(w.outsider), group=w.group, message="Again", accepted_rules=True
    )
    assert again.state == State.REQUESTED
    assert again.decision_reason == ""


def test_a_banned_person_cannot_ask_to_join(request_world):
    w = request_world
    sanction_services.sanction_ban(
        acting_user=w.leader, membership=w.m(w.member), reason="Selling."
    )
    with pytest.raises(PermissionDenied, match="banned"):
        services.membership_request(
            acting_user=fresh(w.member), group=w.group, message="", accepted_rules=True
        )
    assert w.m(w.member).state == State.BANNED


# membership_leave


@pytest.mark.parametrize("who", ["member", "leader"])
def test_members_and_leaders_leave_a_group(world, who):
    person = getattr(world, who)
    services.membership_leave(acting_user=person, group=world.group)
    left = world.m(person)
    assert (left.state, left.role) == (State.LEFT, Role.MEMBER)


def test_the_owner_cannot_leave_before_handing_the_group_on(world):
    with pytest.raises(PermissionDenied, match="hand ownership"):
        services.membership_leave(acting_user=world.owner, group=world.group)
    assert world.m(world.owner).state == State.ACTIVE


def test_an_outsider_cannot_leave(world):
    with pytest.raises(PermissionDenied):
        services.membership_leave(acting_user=world.outsider, group=world.group)


# membership_remove and membership_ban: who may act on whom

MODERATE = {"remove": sanction_services.sanction_remove, "ban": sanction_services.sanction_ban}
TARGET_STATE = {"remove": State.REMOVED, "ban": State.BANNED}

# (actor, target, allowed)
WHO_ON_WHOM = [
    ("leader", "member", True),
    ("owner", "member", True),
    ("staff", "member", True),
    ("owner", "leader", True),
    ("staff", "leader", True),
    ("leader", "owner", False),
    ("staff", "owner", False),
    ("leader", "other_leader", False),
    ("leader", "staff_member", False),
    ("owner", "staff_member", False),
    ("leader", "leader", False),
    ("owner", "owner", False),
    ("member", "member", False),
    ("member", "leader", False),
    ("outsider", "member", False),
]


@pytest.mark.parametrize("action", sorted(MODERATE))
@pytest.mark.parametrize("actor, target, allowed", WHO_ON_WHOM)
def test_who_may_remove_or_ban_whom(world, action, actor, target, allowed):
    target_membership = world.m(getattr(world, target))
    before = (target_membership.state, target_membership.role)
    call = MODERATE[action]
    if allowed:
        sanction = call(acting_user=getattr(world, actor), membership=target_membership, reason="r")
        assert sanction.kind == {"remove": "removal", "ban": "ban"}[action]
        done = world.m(getattr(world, target))
        assert (done.state, done.role) == (TARGET_STATE[action], Role.MEMBER)
        assert done.decision_reason == "r"
    else:
        with pytest.raises(PermissionDenied):
            call(acting_user=getattr(world, actor), membership=target_membership, reason="r")
        target_membership.refresh_from_db()
        assert (target_membership.state, target_membership.role) == before
        assert not ModerationLogEntry.objects.filter(group=world.group).exists()


def test_a_leader_cannot_ban_the_owner(world):
    with pytest.raises(PermissionDenied, match="owner"):
        sanction_services.sanction_ban(acting_user=world.leader, membership=world.m(world.owner))
    assert world.m(world.owner).state == State.ACTIVE


def test_the_owner_can_ban_a_leader(world):
    sanction_services.sanction_ban(
        acting_user=world.owner, membership=world.m(world.leader), reason="x"
    )
    assert world.m(world.leader).state == State.BANNED


def test_removing_someone_who_is_no_longer_a_member_is_refused(world):
    services.membership_leave(acting_user=world.member, group=world.group)
    with pytest.raises(ValidationError):
        sanction_services.sanction_remove(
            acting_user=world.leader, membership=world.m(world.member), reason="x"
        )


def test_banning_someone_twice_is_refused(world):
    sanction_services.sanction_ban(
        acting_user=world.leader, membership=world.m(world.member), reason="x"
    )
    with pytest.raises(ValidationError):
        sanction_services.sanction_ban(
            acting_user=world.owner, membership=world.m(world.member), reason="y"
        )
    assert ModerationLogEntry.objects.filter(action=Action.MEMBER_BANNED).count() == 1


def test_a_former_member_can_be_banned_so_they_cannot_come_back(world):
    services.membership_leave(acting_user=world.member, group=world.group)
    sanction_services.sanction_ban(
        acting_user=world.leader, membership=world.m(world.member), reason="x"
    )
    with pytest.raises(PermissionDenied):
        services.membership_join(
            acting_user=fresh(world.member), group=world.group, accepted_rules=True
        )


def test_a_banned_person_cannot_use_an_invite_link(world):
    invite = services.invite_create(acting_user=world.leader, group=world.group)
    sanction_services.sanction_ban(
        acting_user=world.leader, membership=world.m(world.member), reason="x"
    )
    with pytest.raises(PermissionDenied, match="banned"):
        services.invite_accept(acting_user=fresh(world.member), invite=invite, accepted_rules=True)
    invite.refresh_from_db()
    assert invite.use_count == 0
    assert world.m(world.member).state == State.BANNED


def test_a_removed_member_loses_access_to_a_private_group():
    owner = make_user()
    group = make_group(
        visibility=Group.Visibility.PRIVATE, join_policy=Group.JoinPolicy.REQUEST, owner=owner
    )
    person = make_user()
    add_member(group, person)
    assert permissions.can(person, permissions.Capability.READ, group)
    sanction_services.sanction_remove(
        acting_user=owner, membership=membership_of(group, person), reason="x"
    )
    assert not permissions.can(fresh(person), permissions.Capability.READ, group)


# leader_appoint and leader_remove


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_the_owner_or_staff_appoint_a_peer_leader(world, who):
    services.leader_appoint(acting_user=getattr(world, who), membership=world.m(world.member))
    assert world.m(world.member).role == Role.LEADER
    assert permissions.can(fresh(world.member), permissions.Capability.APPROVE_JOIN, world.group)


@pytest.mark.parametrize("who", ["leader", "member"])
def test_leaders_and_members_cannot_appoint_peer_leaders(world, who):
    with pytest.raises(PermissionDenied):
        services.leader_appoint(acting_user=getattr(world, who), membership=world.m(world.member))
    assert world.m(world.member).role == Role.MEMBER


def test_appointing_someone_who_already_leads_is_refused(world):
    with pytest.raises(ValidationError):
        services.leader_appoint(acting_user=world.owner, membership=world.m(world.leader))


def test_a_former_member_cannot_be_appointed(world):
    services.membership_leave(acting_user=world.member, group=world.group)
    with pytest.raises(ValidationError):
        services.leader_appoint(acting_user=world.owner, membership=world.m(world.member))


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_the_owner_or_staff_stop_a_peer_leader_leading(world, who):
    services.leader_remove(acting_user=getattr(world, who), membership=world.m(world.leader))
    stepped_down = world.m(world.leader)
    assert (stepped_down.role, stepped_down.state) == (Role.MEMBER, State.ACTIVE)
    assert not permissions.can(
        fresh(world.leader), permissions.Capability.APPROVE_JOIN, world.group
    )


def test_a_leader_cannot_stop_another_leader_leading(world):
    with pytest.raises(PermissionDenied):
        services.leader_remove(acting_user=world.leader, membership=world.m(world.other_leader))
    assert world.m(world.other_leader).role == Role.LEADER


def test_the_owner_cannot_be_demoted_with_leader_remove(world):
    with pytest.raises(PermissionDenied):
        services.leader_remove(acting_user=world.staff, membership=world.m(world.owner))
    assert world.m(world.owner).role == Role.OWNER


def test_stopping_a_plain_member_leading_is_refused(world):
    with pytest.raises(ValidationError):
        services.leader_remove(acting_user=world.owner, membership=world.m(world.member))


# ownership_transfer


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_ownership_passes_to_a_member_and_the_old_owner_becomes_a_leader(world, who):
    services.ownership_transfer(acting_user=getattr(world, who), membership=world.m(world.member))
    assert world.m(world.member).role == Role.OWNER
    assert world.m(world.owner).role == Role.LEADER
    assert world.m(world.owner).state == State.ACTIVE
    assert active_owners(world.group) == [world.member.pk]


def test_the_old_owner_may_leave_after_handing_the_group_on(world):
    services.ownership_transfer(acting_user=world.owner, membership=world.m(world.member))
    services.membership_leave(acting_user=world.owner, group=world.group)
    assert world.m(world.owner).state == State.LEFT


@pytest.mark.parametrize("who", ["leader", "member"])
def test_only_the_owner_or_staff_hand_a_group_on(world, who):
    with pytest.raises(PermissionDenied):
        services.ownership_transfer(
            acting_user=getattr(world, who), membership=world.m(world.member)
        )
    assert active_owners(world.group) == [world.owner.pk]


@pytest.mark.parametrize("state", [State.LEFT, State.REQUESTED, State.REMOVED, State.BANNED])
def test_ownership_only_passes_to_a_current_member(world, state):
    someone = make_user()
    target = add_member(world.group, someone, state=state)
    with pytest.raises(ValidationError):
        services.ownership_transfer(acting_user=world.owner, membership=target)
    assert active_owners(world.group) == [world.owner.pk]
    assert world.m(someone).role == Role.MEMBER


def test_handing_the_group_to_its_owner_is_refused(world):
    with pytest.raises(ValidationError):
        services.ownership_transfer(acting_user=world.staff, membership=world.m(world.owner))


def test_the_database_allows_only_one_active_owner(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(group=world.group, user=world.member).update(role=Role.OWNER)
    assert active_owners(world.group) == [world.owner.pk]


def test_a_former_owner_row_does_not_block_a_new_active_owner(world):
    # Only *active* owners are unique: a left owner row does not collide.
    add_member(world.group, make_user(), role=Role.OWNER, state=State.LEFT)
    assert active_owners(world.group) == [world.owner.pk]


# Invite links


def test_a_leader_creates_an_invite_link(world):
    expires = timezone.now() + datetime.timedelta(days=7)
    invite = services.invite_create(
        acting_user=world.leader, group=world.group, expires_at=expires, max_uses=3
    )
    assert invite.group == world.group
    assert invite.created_by == world.leader
    assert (invite.expires_at, invite.max_uses, invite.use_count) == (expires, 3, 0)
    assert invite.is_usable


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_members_and_outsiders_cannot_create_or_revoke_invite_links(world, who):
    with pytest.raises(PermissionDenied):
        services.invite_create(acting_user=getattr(world, who), group=world.group)
    invite = services.invite_create(acting_user=world.leader, group=world.group)
    with pytest.raises(PermissionDenied):
        services.invite_revoke(acting_user=getattr(world, who), invite=invite)
    invite.refresh_from_db()
    assert invite.revoked_at is None


def test_a_revoked_link_stops_working(world):
    invite = services.invite_create(acting_user=world.leader, group=world.group)
    services.invite_revoke(acting_user=world.owner, invite=invite)
    invite.refresh_from_db()
    assert invite.revoked_at is not None
    assert not invite.is_usable
    with pytest.raises(ValidationError):
        services.invite_accept(acting_user=world.outsider, invite=invite, accepted_rules=True)
    assert not Membership.objects.filter(user=world.outsider).exists()


def test_revoking_a_link_twice_logs_it_once(world):
    invite = services.invite_create(acting_user=world.leader, group=world.group)
    services.invite_revoke(acting_user=world.leader, invite=invite)
    services.invite_revoke(acting_user=world.owner, invite=invite)
    assert ModerationLogEntry.objects.filter(action=Action.INVITE_REVOKED).count() == 1


def test_an_expired_link_stops_working(world):
    invite = services.invite_create(
        acting_user=world.leader, group=world.group,
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.invite_accept(acting_user=world.outsider, invite=invite, accepted_rules=True)
    assert not Membership.objects.filter(user=world.outsider).exists()


def test_a_link_works_only_as_many_times_as_its_most_uses():
    owner = make_user()
    group = make_group(visibility=Group.Visibility.HIDDEN, owner=owner)
    invite = services.invite_create(acting_user=owner, group=group, max_uses=2)
    first, second, third = make_user(), make_user(), make_user()
    services.invite_accept(acting_user=first, invite=invite, accepted_rules=True)
    services.invite_accept(acting_user=second, invite=invite, accepted_rules=True)
    invite.refresh_from_db()
    assert invite.use_count == 2
    assert not invite.is_usable
    with pytest.raises(ValidationError):
        services.invite_accept(acting_user=third, invite=invite, accepted_rules=True)
    assert not Membership.objects.filter(user=third).exists()
    invite.refresh_from_db()
    assert invite.use_count == 2


@pytest.mark.parametrize(
    "visibility, policy",
    [
        (Group.Visibility.PUBLIC, Group.JoinPolicy.OPEN),
        (Group.Visibility.PUBLIC, Group.JoinPolicy.REQUEST),
        (Group.Visibility.PRIVATE, Group.JoinPolicy.REQUEST),
        (Group.Visibility.PRIVATE, Group.JoinPolicy.INVITE),
        (Group.Visibility.HIDDEN, Group.JoinPolicy.INVITE),
    ],
)
def test_an_invite_link_joins_whatever_the_join_policy(visibility, policy):
    owner = make_user()
    group = make_group(visibility=visibility, join_policy=policy, owner=owner)
    invite = services.invite_create(acting_user=owner, group=group)
    guest = make_user()
    joined = services.invite_accept(acting_user=guest, invite=invite, accepted_rules=True)
    assert (joined.state, joined.role) == (State.ACTIVE, Role.MEMBER)
    assert joined.accepted_rules_version == group.rules_version
    assert permissions.can(fresh(guest), permissions.Capability.READ, group)


def test_accepting_an_invite_requires_accepting_the_rules(world):
    invite = services.invite_create(acting_user=world.leader, group=world.group)
    with pytest.raises(ValidationError) as error:
        services.invite_accept(acting_user=world.outsider, invite=invite, accepted_rules=False)
    assert "accept_rules" in error.value.message_dict
    invite.refresh_from_db()
    assert invite.use_count == 0


def test_accepting_the_same_invite_twice_counts_once(world):
    invite = services.invite_create(acting_user=world.leader, group=world.group, max_uses=5)
    services.invite_accept(acting_user=world.outsider, invite=invite, accepted_rules=True)
    again = services.invite_accept(acting_user=world.outsider, invite=invite, accepted_rules=True)
    assert again.state == State.ACTIVE
    invite.refresh_from_db()
    assert invite.use_count == 1
    assert Membership.objects.filter(user=world.outsider, group=world.group).count() == 1


def test_a_requester_who_accepts_an_invite_becomes_a_member(request_world):
    w = request_world
    services.membership_request(
        acting_user=w.outsider, group=w.group, message="", accepted_rules=True
    )
    invite = services.invite_create(acting_user=w.leader, group=w.group)
    joined = services.invite_accept(acting_user=w.outsider, invite=invite, accepted_rules=True)
    assert joined.state == State.ACTIVE
    assert not selectors.pending_requests(w.group).exists()


def test_an_invite_to_a_group_that_is_not_active_does_not_work():
    owner = make_user()
    group = make_group(owner=owner, status=Group.Status.ARCHIVED)
    invite = Invite.objects.create(group=group, created_by=owner)
    with pytest.raises(ValidationError):
        services.invite_accept(acting_user=make_user(), invite=invite, accepted_rules=True)


# membership_set_listed


def test_a_member_who_hides_from_the_list_is_hidden_from_members_but_not_from_leaders(
    world, client
):
    services.membership_set_listed(acting_user=world.member, group=world.group, listed=False)
    assert world.m(world.member).hidden_from_member_list
    members_url = reverse("groups:members", args=[world.group.slug])

    client.force_login(world.other_leader)
    as_leader = page_text(client.get(members_url))
    assert "Member May" in as_leader
    assert "(hidden from members)" in as_leader

    bystander = make_user(display_name="Bystander Bea")
    add_member(world.group, bystander)
    client.force_login(bystander)
    as_member = page_text(client.get(members_url))
    assert "Member May" not in as_member
    assert "Leader Lee" in as_member

    services.membership_set_listed(acting_user=world.member, group=world.group, listed=True)
    assert "Member May" in page_text(client.get(members_url))


def test_only_members_set_whether_they_are_listed(world):
    with pytest.raises(PermissionDenied):
        services.membership_set_listed(acting_user=world.outsider, group=world.group, listed=False)


# The moderation log: one row for every leader, owner and administrator action


class LogWorld(World):
    def __init__(self):
        super().__init__(visibility=Group.Visibility.PRIVATE, join_policy=Group.JoinPolicy.REQUEST)
        self.requester = make_user(display_name="Requester Rae")
        self.request = add_member(self.group, self.requester, state=State.REQUESTED)
        self.trusted = make_user(display_name="Trusted Tia", is_trusted=True)
        self.proposal = make_group(
            name="Proposed Place", status=Group.Status.PROPOSED, proposed_by=self.trusted,
            owner=self.trusted,
        )  # fmt: skip
        self.invite = Invite.objects.create(group=self.group, created_by=self.owner)


# name: performs the action on a LogWorld and returns the row it should have written,
# as (actor, action, target_user, reason, group); group None means "the new group".
LOGGED_ACTIONS = {
    "staff create a group": lambda w: (
        group_services.group_create(acting_user=w.staff, **group_fields()),
        (w.staff, Action.GROUP_CREATED, None, "", None),
    ),
    "a trusted member proposes a group": lambda w: (
        group_services.group_create(acting_user=w.trusted, **group_fields()),
        (w.trusted, Action.GROUP_PROPOSED, None, "", None),
    ),
    "staff approve a proposal": lambda w: (
        group_services.group_approve(acting_user=w.staff, group=w.proposal),
        (w.staff, Action.GROUP_APPROVED, None, "", w.proposal),
    ),
    "a leader edits the words": lambda w: (
        group_services.group_update(acting_user=w.leader, group=w.group, about="New."),
        (w.leader, Action.GROUP_EDITED, None, "", w.group),
    ),
    "the owner changes who can join": lambda w: (
        group_services.group_update(
            acting_user=w.owner, group=w.group, join_policy=Group.JoinPolicy.INVITE
        ),
        (w.owner, Action.GROUP_EDITED, None, "", w.group),
    ),
    "a leader changes the rules": lambda w: (
        group_services.group_update(acting_user=w.leader, group=w.group, rules="New rules."),
        (w.leader, Action.RULES_CHANGED, None, "", w.group),
    ),
    "a leader approves a request": lambda w: (
        services.membership_approve(acting_user=w.leader, membership=w.request),
        (w.leader, Action.REQUEST_APPROVED, w.requester, "", w.group),
    ),
    "a leader declines a request": lambda w: (
        services.membership_decline(acting_user=w.leader, membership=w.request, reason="Full."),
        (w.leader, Action.REQUEST_DECLINED, w.requester, "Full.", w.group),
    ),
    "a leader removes a member": lambda w: (
        sanction_services.sanction_remove(
            acting_user=w.leader, membership=w.m(w.member), reason="Cool off."
        ),
        (w.leader, Action.MEMBER_REMOVED, w.member, "Cool off.", w.group),
    ),
    "a leader bans a member": lambda w: (
        sanction_services.sanction_ban(
            acting_user=w.leader, membership=w.m(w.member), reason="Sold."
        ),
        (w.leader, Action.MEMBER_BANNED, w.member, "Sold.", w.group),
    ),
    "the owner bans a leader": lambda w: (
        sanction_services.sanction_ban(
            acting_user=w.owner, membership=w.m(w.leader), reason="Abuse."
        ),
        (w.owner, Action.MEMBER_BANNED, w.leader, "Abuse.", w.group),
    ),
    "staff remove a leader": lambda w: (
        sanction_services.sanction_remove(
            acting_user=w.staff, membership=w.m(w.leader), reason="R."
        ),
        (w.staff, Action.MEMBER_REMOVED, w.leader, "R.", w.group),
    ),
    "the owner appoints a leader": lambda w: (
        services.leader_appoint(acting_user=w.owner, membership=w.m(w.member)),
        (w.owner, Action.LEADER_APPOINTED, w.member, "", w.group),
    ),
    "staff appoint a leader": lambda w: (
        services.leader_appoint(acting_user=w.staff, membership=w.m(w.member)),
        (w.staff, Action.LEADER_APPOINTED, w.member, "", w.group),
    ),
    "the owner stops a leader leading": lambda w: (
        services.leader_remove(acting_user=w.owner, membership=w.m(w.leader)),
        (w.owner, Action.LEADER_REMOVED, w.leader, "", w.group),
    ),
    "the owner hands the group on": lambda w: (
        services.ownership_transfer(acting_user=w.owner, membership=w.m(w.member)),
        (w.owner, Action.OWNERSHIP_TRANSFERRED, w.member, "", w.group),
    ),
    "staff hand the group on": lambda w: (
        services.ownership_transfer(acting_user=w.staff, membership=w.m(w.leader)),
        (w.staff, Action.OWNERSHIP_TRANSFERRED, w.leader, "", w.group),
    ),
    "a leader creates an invite link": lambda w: (
        services.invite_create(acting_user=w.leader, group=w.group, max_uses=4),
        (w.leader, Action.INVITE_CREATED, None, "", w.group),
    ),
    "a leader revokes an invite link": lambda w: (
        services.invite_revoke(acting_user=w.leader, invite=w.invite),
        (w.leader, Action.INVITE_REVOKED, None, "", w.group),
    ),
}


@pytest.mark.parametrize("name", list(LOGGED_ACTIONS))
def test_every_leader_owner_and_staff_action_writes_exactly_one_log_row(name):
    world = LogWorld()
    before = set(ModerationLogEntry.objects.values_list("pk", flat=True))

    result, (actor, action, target_user, reason, group) = LOGGED_ACTIONS[name](world)

    rows = list(ModerationLogEntry.objects.exclude(pk__in=before))
    assert len(rows) == 1, [(row.action, row.details) for row in rows]
    row = rows[0]
    assert row.actor == actor
    assert row.action == action
    assert row.target_user == target_user
    assert row.reason == reason
    assert row.group == (group if group is not None else result)


def test_a_member_s_own_steps_write_nothing_to_the_moderation_log(request_world):
    w = request_world
    services.membership_request(
        acting_user=w.outsider, group=w.group, message="", accepted_rules=True
    )
    services.membership_withdraw(acting_user=w.outsider, group=w.group)
    services.membership_set_listed(acting_user=w.member, group=w.group, listed=False)
    services.membership_accept_rules(acting_user=w.member, group=w.group)
    services.membership_leave(acting_user=w.member, group=w.group)
    invite = Invite.objects.create(group=w.group, created_by=w.owner)
    services.invite_accept(acting_user=make_user(), invite=invite, accepted_rules=True)
    assert not ModerationLogEntry.objects.exists()


def test_a_refused_action_writes_no_log_row(world):
    for call in (
        lambda: sanction_services.sanction_ban(
            acting_user=world.leader, membership=world.m(world.owner)
        ),
        lambda: services.leader_appoint(acting_user=world.leader, membership=world.m(world.member)),
        lambda: group_services.group_update(
            acting_user=world.leader, group=world.group, name="Taken over"
        ),
        lambda: services.invite_create(acting_user=world.member, group=world.group),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not ModerationLogEntry.objects.exists()
