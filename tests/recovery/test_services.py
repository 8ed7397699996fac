"""Sharing a milestone, the craving SOS reaching out, and a member's data as a whole:
exported, and erased with their account."""

import dataclasses
import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from chat.models import ChatMessage, ChatRoom
from forum.models import Post
from groups import limits
from groups.models import ReviewItem
from recovery.models import Celebration, CheckIn, Goal, SafetyPlan, Stretch
from recovery.services import checkins, plans, sos
from recovery.services import data as recovery_data
from recovery.services import goals as goal_services
from tests.factories import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def counted_afresh(monkeypatch):
    """Limits count in Redis by member id, which a new test database hands out again:
    each test counts under names of its own."""
    for name in ("SOS_CHAT_POST", "SUPPORT_REQUEST", "CHAT_SEND", "THREAD_START"):
        limit = getattr(limits, name)
        monkeypatch.setattr(limits, name, dataclasses.replace(
            limit, name=f"{limit.name}-{uuid.uuid4().hex}"))  # fmt: skip


def week_old_goal(user) -> Goal:
    return goal_services.goal_create(
        acting_user=user, kind="alcohol", started_on=timezone.localdate() - datetime.timedelta(8)
    )


def test_sharing_a_milestone_posts_a_thread_in_the_group_and_marks_it(world):
    goal = week_old_goal(world.member)
    thread = goal_services.milestone_share(
        acting_user=world.member, goal=goal, days=7, group=world.group,
        title="A milestone: 7 days", body="One week today. Thank you all.",
    )  # fmt: skip
    assert thread.is_published and thread.author == world.member
    assert Post.objects.get(thread=thread).body == "One week today. Thank you all."
    assert Celebration.objects.get(stretch__goal=goal).shared
    # Only the words the member chose are shared: nothing of the goal itself.
    assert "alcohol" not in Post.objects.get(thread=thread).body.lower()


def test_a_shared_milestone_is_screened_like_any_post(world):
    goal = week_old_goal(world.newcomer)
    thread = goal_services.milestone_share(
        acting_user=world.newcomer, goal=goal, days=7, group=world.group,
        title="7 days", body="A week, and I don't want to be here anymore.",
    )  # fmt: skip
    # A new member's first post waits for a leader, and crisis words reach them at once.
    assert not thread.is_published
    assert ReviewItem.objects.filter(kind=ReviewItem.Kind.HELD_POST, group=world.group).exists()
    assert ReviewItem.objects.filter(
        kind=ReviewItem.Kind.AUTO_FLAG, urgency=ReviewItem.Urgency.URGENT
    ).exists()


def test_a_member_who_cannot_post_in_a_group_cannot_share_a_milestone_there(world):
    goal = week_old_goal(world.muted)
    page = signed_in(world.muted).post(
        reverse("recovery:milestone", args=[goal.pk, 7]),
        {"share": "1", "group": world.group.slug, "title": "7 days", "body": "One week."},
    )
    assert page.status_code == 200
    assert "no group where you can post right now" in page.text
    assert not Celebration.objects.exists()


def test_the_craving_sos_posts_to_the_groups_chat_once_per_message_id(world):
    message_id = uuid.uuid4()
    for _ in range(2):  # a double submit
        sos.sos_post_to_chat(acting_user=world.member, group=world.group,
                             body="Craving hard tonight.", client_msg_id=message_id)  # fmt: skip
    [message] = ChatMessage.objects.filter(author=world.member)
    assert message.room.kind == ChatRoom.Kind.MEMBERS and message.body == "Craving hard tonight."
    # The double submit cost nothing: the whole burst is still there.
    for number in range(limits.SOS_CHAT_POST.burst - 1):
        sos.sos_post_to_chat(acting_user=world.member, group=world.group, body=f"Still {number}",
                             client_msg_id=uuid.uuid4())  # fmt: skip


def test_the_craving_sos_asks_the_leaders_with_an_urgent_support_request(world):
    client = signed_in(world.member)
    page = client.post(reverse("recovery:sos"), {"send": "leaders", "group": world.group.slug,
                                                 "message": "Struggling tonight"})  # fmt: skip
    assert "have been told" in page.text
    item = ReviewItem.objects.get(kind=ReviewItem.Kind.SUPPORT, group=world.group)
    assert item.urgency == ReviewItem.Urgency.URGENT and item.snapshot == "Struggling tonight"


def test_posting_to_a_chat_from_the_sos_is_limited_and_says_kindly_what_is_still_open(world):
    for number in range(limits.SOS_CHAT_POST.burst):
        sos.sos_post_to_chat(acting_user=world.member, group=world.group, body=f"Hard {number}",
                             client_msg_id=uuid.uuid4())  # fmt: skip
    page = signed_in(world.member).post(reverse("recovery:sos"), {
        "send": "chat", "group": world.group.slug, "body": "Still hard, words I typed",
        "client_msg_id": str(uuid.uuid4()),
    })  # fmt: skip
    text = page.content.decode()
    assert "paused sending there" in text and "Still hard, words I typed" in text
    assert ChatMessage.objects.filter(author=world.member).count() == limits.SOS_CHAT_POST.burst
    # Asking the leaders is still open.
    sos.sos_ask_leaders(acting_user=world.member, group=world.group)
    assert ReviewItem.objects.filter(kind=ReviewItem.Kind.SUPPORT, group=world.group).exists()


def test_the_sos_page_offers_only_groups_the_member_belongs_to(world):
    outsider_page = signed_in(world.outsider).get(reverse("recovery:sos"))
    assert world.group.name not in outsider_page.text
    assert "Find a group" in outsider_page.text
    refused = signed_in(world.outsider).post(reverse("recovery:sos"), {
        "send": "leaders", "group": world.group.slug})  # fmt: skip
    assert refused.status_code == 200
    assert not ReviewItem.objects.filter(kind=ReviewItem.Kind.SUPPORT).exists()


def fill(user):
    goal = week_old_goal(user)
    goal_services.goal_restart(acting_user=user, goal=goal, slipped_on=timezone.localdate(),
                               note="Start again Monday")  # fmt: skip
    checkins.check_in_save(acting_user=user, mood=3, craving=4, tags=["hopeful"], note="Ok day")
    plans.safety_plan_save(acting_user=user, sections={"reasons": "My daughter"})


def test_a_members_recovery_data_exports_as_one_dict(world):
    fill(world.member)
    exported = recovery_data.recovery_data_export(user=world.member)
    [goal] = exported["goals"]
    assert goal["goal"] == {"kind": "alcohol", "words": ""}
    assert [s["restart_note"] for s in goal["stretches"]] == ["Start again Monday", ""]
    assert exported["check_ins"][0]["note"] == "Ok day"
    assert exported["safety_plan"]["reasons"] == "My daughter"
    assert recovery_data.recovery_data_export(user=world.other)["goals"] == []


def test_deleting_an_account_erases_its_recovery_data_and_nobody_elses(world):
    fill(world.member)
    fill(world.other)
    client = signed_in(world.member)
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD, "understood": "on"})
    assert response.status_code == 302
    for model in (Goal, CheckIn, SafetyPlan):
        owner = "goal__owner" if model is Stretch else "owner"
        assert not model.objects.filter(**{owner: world.member}).exists()
        assert model.objects.filter(**{owner: world.other}).exists()
    assert not Stretch.objects.filter(goal__owner=world.member).exists()
