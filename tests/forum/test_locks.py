"""Threads and chat follow one lock rule (groups/permissions/content.py): a locked
thread or a paused chat stops members writing, and the group's peer leaders can
still write there, to close a conversation kindly or to share crisis help."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from chat import services as chat_services
from forum.services import posts as post_services
from forum.services import threads as thread_services
from groups import permissions
from groups.models import Membership
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    owner = make_user(display_name="Owner Olive")
    group = make_group(name="Evening Circle", owner=owner)
    leader = make_user(display_name="Leader Lark")
    add_member(group, leader, role=Membership.Role.LEADER)
    member = make_user(display_name="Member Moss")
    add_member(group, member, approved_post_count=10)
    thread = thread_services.thread_create(
        acting_user=owner, group=group, title="Closing up", body="We'll lock this soon."
    )
    leader_post = thread_services.post_create(
        acting_user=leader, thread=thread, body="Thank you, everyone."
    )
    member_post = thread_services.post_create(acting_user=member, thread=thread, body="Bye!")
    thread_services.thread_set_locked(acting_user=leader, thread=thread, locked=True)
    thread.refresh_from_db()
    return {
        "group": group, "thread": thread, "leader": leader, "member": member,
        "leader_post": leader_post, "member_post": member_post,
    }  # fmt: skip


def test_a_locked_thread_refuses_members_but_lets_its_leaders_reply(place):
    with pytest.raises(PermissionDenied, match="This thread is locked"):
        thread_services.post_create(acting_user=place["member"], thread=place["thread"], body="x")
    post = thread_services.post_create(
        acting_user=place["leader"], thread=place["thread"], body="Help is one click away."
    )
    assert post.number == 4
    assert not permissions.can_reply(place["member"], place["thread"])
    assert permissions.can_reply(place["leader"], place["thread"])


def test_a_locked_thread_refuses_members_edits_but_not_a_leaders(place):
    with pytest.raises(PermissionDenied, match="so its posts can't be edited"):
        post_services.post_edit(acting_user=place["member"], post=place["member_post"], body="y")
    edited = post_services.post_edit(
        acting_user=place["leader"], post=place["leader_post"], body="Thank you all, truly."
    )
    assert edited.body == "Thank you all, truly."


def test_the_thread_page_offers_the_reply_form_and_edit_links_only_to_leaders(place):
    url = reverse("forum:thread", args=[place["group"].slug, place["thread"].pk])
    as_member, as_leader = Client(), Client()
    as_member.force_login(place["member"])
    as_leader.force_login(place["leader"])
    member_page, leader_page = as_member.get(url).text, as_leader.get(url).text
    assert "This thread is locked. You can still read it." in member_page
    assert 'name="body"' not in member_page
    assert ">Edit<" not in member_page
    assert "As a peer leader you can still reply" in leader_page
    assert 'name="body"' in leader_page
    assert ">Edit<" in leader_page


def test_a_paused_chat_follows_the_same_rule(place):
    room = chat_services.room_for(place["group"])
    chat_services.room_update(
        acting_user=place["leader"], room=room, slow_mode_seconds=0, locked=True
    )
    room.refresh_from_db()
    with pytest.raises(PermissionDenied, match="paused this chat"):
        chat_services.chat_message_send(
            acting_user=place["member"], room=room, body="hello?", client_msg_id=uuid.uuid4()
        )
    message, created = chat_services.chat_message_send(
        acting_user=place["leader"], room=room, body="Back soon.", client_msg_id=uuid.uuid4()
    )
    assert created and message.body == "Back soon."
