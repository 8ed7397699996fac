"""The queue offers only decisions that apply to what an item is about, and refuses the
rest with a message: a member report has no post to hide or warn about, and "hide" on
a chat report deletes the message. (Both used to answer 500.)"""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from chat import services as chat_services
from chat.models import ChatMessage
from groups.models import ModerationLogEntry, ReviewItem
from moderation.services import decisions
from moderation.services.support import member_report
from tests.factories import Community

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return Community()


def leader_client(world) -> Client:
    client = Client()
    client.force_login(world.leader)
    return client


def member_report_item(world) -> ReviewItem:
    report = member_report(
        acting_user=world.other, group=world.group, member=world.member, reason="harassment"
    )
    return report.review_item


def chat_report_item(world) -> tuple[ReviewItem, ChatMessage]:
    message, _created = chat_services.chat_message_send(
        acting_user=world.member, room=chat_services.room_for(world.group),
        body="Something unkind.", client_msg_id=uuid.uuid4(),
    )  # fmt: skip
    report = chat_services.chat_message_report(
        acting_user=world.other, message=message, reason="harassment"
    )
    return report.review_item, message


def test_a_member_report_offers_no_post_decisions(world):
    item = member_report_item(world)
    offered = decisions.actions_for(item)
    assert "hide" not in offered
    assert "add_warning" not in offered
    assert {"keep", "warn", "mute", "remove", "ban", "dismiss", "escalate"} <= set(offered)


@pytest.mark.parametrize("action", ["hide", "add_warning"])
def test_a_post_decision_on_a_member_report_is_refused_kindly_not_a_500(world, action):
    item = member_report_item(world)
    response = leader_client(world).post(
        reverse("moderation:act", args=[item.pk]),
        {"action": action, "reason": "Because.", "content_warning": "other"},
    )
    assert response.status_code == 400
    assert "That action doesn&#x27;t apply here." in response.text
    item.refresh_from_db()
    assert item.is_live


def test_the_item_page_shows_only_the_decisions_that_apply(world):
    item = member_report_item(world)
    page = leader_client(world).get(reverse("moderation:item", args=[item.pk])).text
    assert 'value="warn"' in page
    assert 'value="hide"' not in page
    assert 'value="add_warning"' not in page


def test_hiding_a_reported_chat_message_deletes_it_and_logs_it(world):
    item, message = chat_report_item(world)
    assert "hide" in decisions.actions_for(item)
    assert "add_warning" not in decisions.actions_for(item)
    response = leader_client(world).post(
        reverse("moderation:act", args=[item.pk]), {"action": "hide", "reason": "Unkind."}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    item.refresh_from_db()
    assert message.state == ChatMessage.State.DELETED
    assert message.deleted_reason == "Unkind."
    assert (item.status, item.decision) == (ReviewItem.Status.RESOLVED, "hide")
    assert ModerationLogEntry.objects.filter(
        action=ModerationLogEntry.Action.CHAT_MESSAGE_DELETED, target_user=world.member
    ).exists()


def test_a_warning_on_a_chat_report_is_refused_kindly(world):
    item, _message = chat_report_item(world)
    response = leader_client(world).post(
        reverse("moderation:act", args=[item.pk]),
        {"action": "add_warning", "content_warning": "other"},
    )
    assert response.status_code == 400
    assert "That action doesn&#x27;t apply here." in response.text
