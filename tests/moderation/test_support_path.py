"""A member who may be at risk reaches a human leader: crisis language in a post or
chat message, and the "I need support now" button, all land first in the queue."""

import uuid

import pytest
from django.urls import reverse

from chat import services as chat_services
from chat.models import ChatMessage, ChatRoom
from forum.services import reactions as reaction_services
from forum.services import threads as thread_services
from groups.models import Membership, ReviewItem
from moderation.services import decisions as decision_services
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner = make_user(display_name="Lantern Keeper")
    group = make_group(name="Night Owls", owner=owner)
    member = make_user(display_name="Willow Path")
    add_member(group, member, approved_post_count=10)
    older = make_user(display_name="Stone River")
    add_member(group, older, approved_post_count=10)
    thread = thread_services.thread_create(
        acting_user=owner, group=group, title="Check-in", body="Hi."
    )
    # An older, ordinary item that should rank below anything urgent.
    reaction_services.post_report(acting_user=older, post=thread.posts.get(), reason="spam")
    return {"owner": owner, "group": group, "member": member, "thread": thread}


def queue_page_items(client, leader):
    client.force_login(leader)
    return list(client.get(reverse("moderation:queue")).context["items"])


def test_a_crisis_post_puts_an_urgent_item_first_without_keeping_a_copy(client, world):
    post = thread_services.post_create(
        acting_user=world["member"], thread=world["thread"],
        body="Honestly I don't want to live anymore.",
    )  # fmt: skip
    items = queue_page_items(client, world["owner"])
    first = items[0]
    assert first.urgency == ReviewItem.Urgency.URGENT
    assert first.post == post
    assert first.subject == world["member"]
    assert "risk" in first.reasons
    assert first.snapshot == ""  # a reference, not a copy
    assert post.state == "published"  # never held back


def test_ordinary_recovery_talk_raises_no_alarm(world):
    thread_services.post_create(acting_user=world["member"], thread=world["thread"],
                        body="I wanted to kill my cravings, so I went for a run.")  # fmt: skip
    assert not ReviewItem.objects.filter(urgency=ReviewItem.Urgency.URGENT).exists()


def test_a_crisis_chat_message_alerts_the_leaders_too(world):
    message, _created = chat_services.chat_message_send(
        acting_user=world["member"], room=chat_services.room_for(world["group"]),
        body="I took all my pills", client_msg_id=uuid.uuid4(),
    )  # fmt: skip
    item = ReviewItem.objects.get(target_key=f"chat:{message.pk}")
    assert item.urgency == ReviewItem.Urgency.URGENT
    assert item.kind == ReviewItem.Kind.AUTO_FLAG


# Ways of saying it that the first phrase list missed, one per kind of danger.
NEW_WAYS_OF_SAYING_IT = [
    "honestly nobody would miss me if I was gone",  # passive ideation
    "he took too much and he's not breathing",  # an overdose happening now, someone nearby
    "I started cutting again last night",  # self-harm started again
    "im going to end it tonight",  # plain intent, no apostrophe
    "kms",  # text-speak
]


@pytest.mark.parametrize("body", NEW_WAYS_OF_SAYING_IT)
def test_a_post_in_any_words_of_crisis_puts_an_urgent_item_first(client, world, body):
    post = thread_services.post_create(acting_user=world["member"], thread=world["thread"],
                                       body=body)  # fmt: skip
    first = queue_page_items(client, world["owner"])[0]
    assert first.urgency == ReviewItem.Urgency.URGENT
    assert first.post == post
    assert post.state == "published"


@pytest.mark.parametrize("body", NEW_WAYS_OF_SAYING_IT)
def test_a_chat_message_in_any_words_of_crisis_alerts_the_leaders(client, world, body):
    message, _created = chat_services.chat_message_send(
        acting_user=world["member"], room=chat_services.room_for(world["group"]),
        body=body, client_msg_id=uuid.uuid4(),
    )  # fmt: skip
    item = ReviewItem.objects.get(target_key=f"chat:{message.pk}")
    assert item.urgency == ReviewItem.Urgency.URGENT
    assert queue_page_items(client, world["owner"])[0] == item


def test_replies_of_support_to_a_crisis_thread_do_not_flag_the_people_replying(client, world):
    """The title's words are the author's: only their opening post is urgent."""
    thread = thread_services.thread_create(
        acting_user=world["member"], group=world["group"], title="I want to die", body="Tonight.",
    )  # fmt: skip
    owner_reply = thread_services.post_create(
        acting_user=world["owner"], thread=thread, body="I'm here. You're not alone."
    )
    urgent = ReviewItem.objects.filter(urgency=ReviewItem.Urgency.URGENT)
    assert [item.subject for item in urgent] == [world["member"]]
    assert not urgent.filter(target_key=thread_services.post_key(owner_reply)).exists()


@pytest.mark.parametrize(
    "body",
    ["This craving is killing me, so I went to a meeting.", "I'm burning myself out at work.",
     "I haven't self-harmed in 500 days!", "I used to want to die, now I'm glad to be here.",
     "I od'd in 2018 and narcan saved me.", "My uncle died of an overdose in 2015."],
)  # fmt: skip
def test_near_misses_in_chat_raise_no_alarm(world, body):
    chat_services.chat_message_send(
        acting_user=world["member"], room=chat_services.room_for(world["group"]),
        body=body, client_msg_id=uuid.uuid4(),
    )  # fmt: skip
    assert not ReviewItem.objects.filter(urgency=ReviewItem.Urgency.URGENT).exists()


def test_i_need_support_now_shows_help_then_tells_only_the_leaders(client, world):
    client.force_login(world["member"])
    page = client.get(reverse("moderation:support", args=[world["group"].slug]))
    assert page.status_code == 200
    assert "988" in page.text and "findahelpline.com" in page.text
    assert not ReviewItem.objects.filter(kind=ReviewItem.Kind.SUPPORT).exists()

    sent = client.post(reverse("moderation:support", args=[world["group"].slug]),
                       {"message": "Rough night."})  # fmt: skip
    assert "have been told" in sent.text
    item = ReviewItem.objects.get(kind=ReviewItem.Kind.SUPPORT)
    assert item.urgency == ReviewItem.Urgency.URGENT
    assert queue_page_items(client, world["owner"])[0] == item
    # A quiet notice in the leaders' room, and nothing in the members' chat.
    notice = ChatMessage.objects.get(is_notice=True)
    assert notice.room.kind == ChatRoom.Kind.LEADERS
    assert "Willow Path is asking for support" in notice.body
    assert not ChatMessage.objects.filter(room__kind=ChatRoom.Kind.MEMBERS).exists()


def test_asking_twice_adds_to_the_same_live_item(world):
    from moderation.services.support import support_request

    support_request(acting_user=world["member"], group=world["group"], message="one")
    support_request(acting_user=world["member"], group=world["group"], message="two")
    assert ReviewItem.objects.filter(kind=ReviewItem.Kind.SUPPORT).count() == 1


def test_a_leader_closes_a_support_request_once_they_have_reached_out(world):
    from moderation.services.support import support_request

    item = support_request(acting_user=world["member"], group=world["group"])
    decision_services.item_act(acting_user=world["owner"], item=item, action="reached_out",
                   reason="Messaged them in the group.")  # fmt: skip
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.RESOLVED


def test_outsiders_of_a_private_group_cannot_ask_its_leaders(client):
    group = make_group(visibility="private", join_policy="request", owner=make_user())
    client.force_login(make_user())
    assert client.get(reverse("moderation:support", args=[group.slug])).status_code == 404


def test_a_member_who_is_banned_gets_the_helplines_elsewhere_not_an_error_page(client):
    group = make_group(owner=make_user())
    banned = make_user()
    add_member(group, banned, state=Membership.State.BANNED)
    client.force_login(banned)
    response = client.get(reverse("moderation:support", args=[group.slug]))
    assert response.status_code == 403
    assert 'href="/help/"' in response.text
