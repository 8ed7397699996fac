"""chat_message_send from any caller (a socket, the page's form): numbering under the
room's row lock, retries that are the message already saved, and a pause that lands
while a send waits for the lock."""

import json
import threading
import time
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from chat import services as chat
from chat.models import ChatMessage, ChatRoom
from tests.factories import Community

pytestmark = pytest.mark.django_db


def send(place, body="Hello, all.", *, author=None, room=None, client_msg_id=None):
    return chat.chat_message_send(
        acting_user=author or place.member,
        room=room or chat.room_for(place.group),
        body=body,
        client_msg_id=client_msg_id or uuid.uuid4(),
    )


def test_messages_are_numbered_one_after_another_and_the_room_keeps_the_last_number():
    place = Community()
    first, _ = send(place, "One.")
    second, _ = send(place, "Two.", author=place.other)
    room = chat.room_for(place.group)
    assert (first.seq, second.seq, room.last_seq) == (1, 2, 2)


def test_a_retry_of_a_saved_message_returns_it_even_after_the_room_is_paused():
    place = Community()
    client_msg_id = uuid.uuid4()
    original, created = send(place, "Before the pause.", client_msg_id=client_msg_id)
    assert created
    chat.room_update(acting_user=place.leader, room=chat.room_for(place.group),
                     slow_mode_seconds=0, locked=True)  # fmt: skip

    again, created = send(place, "Before the pause.", client_msg_id=client_msg_id)

    assert (again.pk, created) == (original.pk, False)
    assert ChatMessage.objects.filter(author=place.member).count() == 1
    assert chat.room_for(place.group).last_seq == 1, "a retry must not use up a number"
    with pytest.raises(PermissionDenied, match="paused this chat"):
        send(place, "A new one, during the pause.")


def test_a_retry_under_slow_mode_returns_the_original_and_a_new_message_waits():
    place = Community()
    chat.room_update(acting_user=place.leader, room=chat.room_for(place.group),
                     slow_mode_seconds=60, locked=False)  # fmt: skip
    client_msg_id = uuid.uuid4()
    original, _ = send(place, "Just once.", client_msg_id=client_msg_id)

    again, created = send(place, "Just once.", client_msg_id=client_msg_id)

    assert (again.pk, created) == (original.pk, False)
    with pytest.raises(ValidationError) as refused:
        send(place, "Too soon.")
    assert refused.value.code == "slow_mode"


def test_a_client_id_already_used_in_another_room_is_refused_kindly():
    place = Community()
    client_msg_id = uuid.uuid4()
    send(place, "In the members' room.", author=place.leader, client_msg_id=client_msg_id)
    leaders_room = chat.room_for(place.group, ChatRoom.Kind.LEADERS)
    leaders_room.group = place.group

    with pytest.raises(ValidationError, match="already used"):
        send(place, "In the leaders' room.", author=place.leader, room=leaders_room,
             client_msg_id=client_msg_id)  # fmt: skip
    assert leaders_room.messages.count() == 0


def test_the_ring_carries_the_finished_frame_every_socket_sends():
    place = Community()
    message, _ = send(place, "Ring once.")

    event = chat.message_event(chat.payload(message))

    assert event["type"] == "chat.message"
    assert json.loads(event["frame"]) == {"type": "message", "message": chat.payload(message)}


@pytest.mark.django_db(transaction=True)
def test_a_pause_that_lands_while_a_send_waits_for_the_room_refuses_that_send():
    place = Community()
    room = chat.room_for(place.group)
    locked = threading.Event()

    def pause_while_holding_the_room():
        with transaction.atomic():
            ChatRoom.objects.select_for_update().get(pk=room.pk)
            locked.set()
            time.sleep(0.5)  # the send has read the room unpaused, and waits for the lock
            ChatRoom.objects.filter(pk=room.pk).update(locked_at=timezone.now())
        connection.close()

    leader = threading.Thread(target=pause_while_holding_the_room)
    leader.start()
    assert locked.wait(5)
    try:
        with pytest.raises(PermissionDenied, match="paused this chat"):
            send(place, "Sent just as the pause came.", room=room)
    finally:
        leader.join(5)
    assert not ChatMessage.objects.filter(room=room).exists()
    room.refresh_from_db()
    assert room.last_seq == 0
