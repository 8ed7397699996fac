"""The notification centre: everything that concerns a member, told once, in kind
words, through one service every domain calls; what a member may no longer see is
left out when read; each kind can be turned off."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum import selectors
from forum.services import posts as post_services
from forum.services import reactions as reaction_services
from groups.models import Group, Membership, Notification, ReviewItem
from groups.services import memberships, notifications, sanctions
from moderation.services.appeals import appeal_create
from moderation.services.decisions import item_act
from tests.factories import (
    Community,
    add_member,
    make_staff,
    membership_of,
    person,
    report_post,
    signed_in,
)

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def centre(user) -> str:
    return signed_in(user).get(reverse("forum:notifications")).text


def kinds_for(user) -> list[str]:
    return [note.kind for note in selectors.notifications_for(user)]


def asking_world() -> Community:
    world = Community()
    Group.objects.filter(pk=world.group.pk).update(join_policy=Group.JoinPolicy.REQUEST)
    world.group.refresh_from_db()
    return world


@pytest.fixture
def world():
    return Community()


def test_a_member_is_told_their_join_request_was_approved_with_a_link_to_the_group():
    world = asking_world()
    asker = person("Asking Wren")
    membership = memberships.membership_request(acting_user=asker, group=world.group,
                                                accepted_rules=True, message="")  # fmt: skip
    memberships.membership_approve(acting_user=world.leader, membership=membership)

    [note] = selectors.notifications_for(asker)
    assert note.kind == Kind.REQUEST_APPROVED
    assert note.link == reverse("groups:detail", args=[world.group.slug])
    assert f"your request to join {world.group.name} was approved" in centre(asker)


def test_a_declined_request_tells_the_member_kindly_with_the_reason():
    world = asking_world()
    asker = person("Asking Wren")
    membership = memberships.membership_request(acting_user=asker, group=world.group,
                                                accepted_rules=True, message="")  # fmt: skip
    memberships.membership_decline(acting_user=world.leader, membership=membership,
                                   reason="This group is for people over 25.")  # fmt: skip

    page = centre(asker)
    assert "was not approved this time" in page
    assert "Reason given: This group is for people over 25." in page


def test_a_held_post_approved_and_another_hidden_tell_the_author_with_the_reason(world):
    thread = world.start(world.member, title="Week one")
    held = world.reply(thread, world.newcomer, "My first words here.")
    post_services.post_approve(acting_user=world.leader, post=held)
    shown = world.reply(thread, world.other, "Something harsh.")
    post_services.post_hide(acting_user=world.leader, post=shown, reason="Please be gentle.")

    assert kinds_for(world.newcomer) == [Kind.POST_APPROVED]
    assert "approved your post in “Week one”" in centre(world.newcomer)
    assert Kind.POST_HIDDEN in kinds_for(world.other)
    assert "Reason given: Please be gentle." in centre(world.other)


def test_supportive_reactions_are_grouped_into_one_notification_that_comes_back_unread(world):
    thread = world.start(world.member, title="A hard day")
    post = thread.posts.get()
    for who in (world.other, world.leader):
        reaction_services.reaction_toggle(acting_user=who, post=post, kind="strength")
    assert "2 people sent strength on your post in “A hard day”." in centre(world.member)
    notifications.notifications_mark_read(user=world.member)
    assert selectors.unread_notification_count(world.member) == 0

    reaction_services.reaction_toggle(acting_user=world.owner, post=post, kind="strength")

    [note] = selectors.notifications_for(world.member)
    assert (note.kind, note.count, note.read_at) == (Kind.REACTION, 3, None)
    assert selectors.unread_notification_count(world.member) == 1
    assert "3 people sent strength" in centre(world.member)


def test_taking_a_reaction_back_counts_one_fewer_without_ringing_the_bell_again(world):
    thread = world.start(world.member)
    post = thread.posts.get()
    for who in (world.other, world.leader):
        reaction_services.reaction_toggle(acting_user=who, post=post, kind="me_too")
    notifications.notifications_mark_read(user=world.member)
    reaction_services.reaction_toggle(acting_user=world.other, post=post, kind="me_too")
    note = Notification.objects.get(user=world.member)
    assert (note.count, note.read_at is not None) == (1, True)


@pytest.mark.parametrize("kind", ["warn", "mute", "ban"])
def test_sanctions_and_their_end_are_told_to_the_member_with_the_reason(world, kind):
    membership = membership_of(world.group, world.member)
    if kind == "warn":
        sanction = sanctions.sanction_warn(acting_user=world.leader, membership=membership,
                                           reason="Please keep it kind.")  # fmt: skip
    elif kind == "mute":
        sanction = sanctions.sanction_mute(
            acting_user=world.leader, membership=membership, reason="Please keep it kind.",
            until=timezone.now() + datetime.timedelta(hours=1),
        )  # fmt: skip
    else:
        sanction = sanctions.sanction_ban(acting_user=world.leader, membership=membership,
                                          reason="Please keep it kind.")  # fmt: skip
    assert "Reason given: Please keep it kind." in centre(world.member)
    assert selectors.notifications_for(world.member)[0].link == reverse(
        "moderation:appeal", args=[sanction.pk]
    )
    if kind != "warn":
        sanctions.sanction_lift(acting_user=world.owner, sanction=sanction, reason="Fresh start.")
        assert kinds_for(world.member)[0] == Kind.SANCTION_ENDED


def mute(world, hours, who=None):
    return sanctions.sanction_mute(
        acting_user=world.leader, membership=membership_of(world.group, who or world.member),
        reason="A pause.", until=timezone.now() + datetime.timedelta(hours=hours),
    )  # fmt: skip


def tick(hours):
    """The moderation tick, run as cron runs it, some hours from now."""
    from unittest import mock  # the clock only: nothing of ours is replaced

    later = timezone.now() + datetime.timedelta(hours=hours)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("moderation_tick", stdout=io.StringIO())


def test_a_member_is_told_once_when_a_timed_mute_comes_to_its_end(world):
    mute(world, hours=2)
    tick(1)
    assert Kind.SANCTION_EXPIRED not in kinds_for(world.member)
    tick(3)
    tick(4)  # run again: still told once
    assert kinds_for(world.member).count(Kind.SANCTION_EXPIRED) == 1
    page = centre(world.member)
    assert f"Your mute in {world.group.name} has ended: you can post and chat there again." in page
    note = Notification.objects.get(user=world.member, kind=Kind.SANCTION_EXPIRED)
    assert note.link == reverse("groups:detail", args=[world.group.slug])


def test_a_mute_lifted_early_or_overtaken_by_a_longer_one_is_not_told_again_at_its_end(world):
    lifted = mute(world, hours=1)
    sanctions.sanction_lift(acting_user=world.owner, sanction=lifted, reason="Fresh start.")
    mute(world, hours=2, who=world.other)
    mute(world, hours=5, who=world.other)
    tick(3)
    assert Kind.SANCTION_EXPIRED not in kinds_for(world.member)  # told when lifted
    assert Kind.SANCTION_EXPIRED not in kinds_for(world.other)  # still muted
    tick(6)
    assert kinds_for(world.other).count(Kind.SANCTION_EXPIRED) == 1


def test_a_site_wide_suspension_coming_to_its_end_is_told_without_a_group(world):
    staff = make_staff(display_name="Tick Staff")
    sanctions.sanction_suspend(acting_user=staff, user=world.member, reason="A pause.",
                               until=timezone.now() + datetime.timedelta(hours=1))  # fmt: skip
    tick(2)
    assert "Your suspension has ended: you can post, chat and join groups again." in centre(
        world.member
    )


def test_the_answer_to_an_appeal_is_told_to_the_member(world):
    membership = membership_of(world.group, world.member)
    sanction = sanctions.sanction_warn(acting_user=world.leader, membership=membership,
                                       reason="Off topic.")  # fmt: skip
    appeal_create(acting_user=world.member, sanction=sanction, message="It was on topic.")
    item = ReviewItem.objects.get(kind=ReviewItem.Kind.APPEAL)
    item_act(acting_user=world.owner, item=item, action="lift", reason="You're right, sorry.")

    assert set(kinds_for(world.member)) == {Kind.WARNING, Kind.SANCTION_ENDED,
                                            Kind.APPEAL_OUTCOME}  # fmt: skip
    page = centre(world.member)
    assert "Your appeal about" in page
    assert "Reason given: You&#x27;re right, sorry." in page


def test_every_leader_is_told_of_a_new_queue_item_and_urgent_ones_are_marked(world):
    thread = world.start(world.member)
    post = thread.posts.get()
    report_post(post, world.other, reason="harassment")
    assert kinds_for(world.leader) == [Kind.QUEUE_ITEM]
    assert kinds_for(world.owner) == [Kind.QUEUE_ITEM]
    assert Kind.QUEUE_ITEM not in kinds_for(world.other)  # reporters are not leaders

    report_post(post, world.newcomer, reason="risk")  # the same item, now urgent

    assert kinds_for(world.leader) == [Kind.QUEUE_URGENT, Kind.QUEUE_ITEM]
    page = centre(world.leader)
    assert "Urgent: someone in" in page
    assert '<strong class="urgent-mark">Urgent</strong>' in page


def test_a_leader_who_steps_down_no_longer_sees_the_queues_notifications(world):
    thread = world.start(world.member)
    report_post(thread.posts.get(), world.other)
    Membership.objects.filter(group=world.group, user=world.leader).update(
        role=Membership.Role.MEMBER
    )
    assert selectors.unread_notification_count(world.leader) == 0


def test_a_kind_turned_off_is_never_created(world):
    world.owner.notification_choices = {Kind.REPLY: "off"}
    world.owner.save(update_fields=["notification_choices"])
    thread = world.start(world.owner)
    world.reply(thread, world.member, "Me too.")
    assert Kind.REPLY not in kinds_for(world.owner)


def test_someone_joining_with_an_invite_link_tells_whoever_made_it():
    world = Community()
    invite = memberships.invite_create(acting_user=world.owner, group=world.group)
    guest = person("Invited Heron")
    memberships.invite_accept(acting_user=guest, invite=invite, accepted_rules=True)
    assert f"{guest.display_name} joined {world.group.name} with your invite link" in centre(
        world.owner
    )


def test_the_notification_centre_costs_the_same_queries_for_five_or_fifty(world):
    other = Community()
    add_member(other.group, world.member, approved_post_count=10)

    def fill(n):
        for i in range(n):
            actor = person(f"Replier {i}")
            for group, kind in ((world.group, Kind.REPLY), (other.group, Kind.MENTION),
                                (other.group, Kind.WARNING)):  # fmt: skip
                notifications.notify(user_ids=[world.member.pk], kind=kind, actor=actor,
                                     group=group, about=f"Thread {i}", link="/")  # fmt: skip

    fill(5)
    client = signed_in(world.member)
    client.post(reverse("forum:notifications_read_all"))  # the bell skips its count
    fill(1)  # so that both visits below have something unread
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("forum:notifications"))
    fill(45)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("forum:notifications")).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
