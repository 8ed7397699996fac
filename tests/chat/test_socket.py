"""The chat websocket, end to end through the real ASGI application: the origin check,
the session cookie and AuthMiddlewareStack, then groups.consumers.ChatConsumer.

Most tests use the in-memory channel layer (fast, isolated per test); the Redis layer
has its own tests in test_chat_redis.py and test_chat_two_servers.py. Every test is
async and transactional: the consumer's database work runs in a worker thread with
its own connection (docs: ../shared/research/stack-spike.md, pitfalls 2-5).
"""

import asyncio
import contextlib
import dataclasses
import datetime
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from chat import selectors as chat_selectors
from chat import services as chat_services
from chat.models import MESSAGE_MAX_LENGTH, ChatMessage, ChatRoom
from groups import limits
from groups.models import Group, Membership, ModerationLogEntry, Report, ReviewItem
from groups.services import memberships as membership_services
from groups.services import sanctions as sanction_services
from peersupport.asgi import application
from tests.factories import Community, add_member, make_staff, membership_of, person, signed_in

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

IN_MEMORY_LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
ORIGIN = b"http://testserver"
FRAME_LIMIT = 16 * 1024
# How long to wait for a frame that must come, and for one that must not.
ARRIVES = 3
SILENCE = 0.2

UNAUTHENTICATED = 4401
FORBIDDEN = 4403


# --- helpers: people, sessions and sockets ----------------------------------------


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY_LAYER


@database_sync_to_async
def community(**group_fields) -> Community:
    return Community(**group_fields)


# A real session for the user, saved in the database (django.test.Client).
logged_in = database_sync_to_async(signed_in)


def session_cookie(client) -> tuple[bytes, bytes]:
    name = settings.SESSION_COOKIE_NAME
    return (b"cookie", f"{name}={client.cookies[name].value}".encode())


def chat_path(group: Group, *, leaders: bool = False) -> str:
    return f"/ws/groups/{group.slug}/chat/" + ("leaders/" if leaders else "")


def new_id() -> str:
    return str(uuid.uuid4())


class Socket:
    """A WebsocketCommunicator with the frames this chat speaks."""

    def __init__(self, communicator: WebsocketCommunicator, name: str):
        self.communicator = communicator
        self.name = name

    async def send(self, **frame) -> None:
        await self.communicator.send_json_to(frame)

    async def send_text(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = ARRIVES) -> dict:
        """The next frame, decoded; a close shows as {"type": "<closed>", "code": ...}."""
        try:
            output = await self.communicator.receive_output(timeout)
        except TimeoutError:
            raise AssertionError(f"{self.name}: no frame within {timeout} s") from None
        except Exception:
            self.communicator.crash_seen = True  # the test fails here; teardown needn't
            raise
        if output["type"] == "websocket.close":
            return {"type": "<closed>", "code": output.get("code", 1000)}
        assert output["type"] == "websocket.send", output
        assert "text" in output, f"{self.name}: expected a text frame, got {output}"
        return json.loads(output["text"])

    async def expect(self, frame_type: str, timeout: float = ARRIVES) -> dict:
        frame = await self.receive(timeout)
        assert frame["type"] == frame_type, f"{self.name}: expected {frame_type}, got {frame}"
        return frame

    async def expect_one_of(self, *frame_types: str, timeout: float = ARRIVES) -> dict:
        frame = await self.receive(timeout)
        assert frame["type"] in frame_types, f"{self.name}: expected {frame_types}, got {frame}"
        return frame

    async def expect_closed(self, code: int) -> None:
        frame = await self.receive()
        assert frame == {"type": "<closed>", "code": code}, f"{self.name}: {frame}"

    async def hears_nothing(self, timeout: float = SILENCE) -> bool:
        return await self.communicator.receive_nothing(timeout)

    async def say(self, body: str, client_msg_id: str | None = None) -> dict:
        """Send a message; return the ack (after checking our own copy of the broadcast)."""
        client_msg_id = client_msg_id or new_id()
        await self.send(type="send", client_msg_id=client_msg_id, body=body)
        ack = await self.expect("ack")
        assert ack["client_msg_id"] == client_msg_id
        echo = await self.expect("message")
        assert (echo["message"]["id"], echo["message"]["seq"]) == (ack["id"], ack["seq"])
        return ack

    async def is_alive(self) -> bool:
        await self.send(type="ping")
        return (await self.receive())["type"] == "pong"


class Sockets:
    """``await sockets.open(user, group)``: a connected, greeted socket (the hello frame
    is in ``.hello``). ``sockets.attempt(...)`` returns (communicator, connected, code)
    instead. ``close_all()`` disconnects every socket and re-raises anything a consumer
    crashed with that the test has not already seen."""

    def __init__(self, asgi_application=application):
        self.application = asgi_application
        self.opened: list[WebsocketCommunicator] = []

    async def attempt(self, user=None, group=None, *, leaders=False, origin=ORIGIN,
                      client=None, path=None, cookie=None):  # fmt: skip
        headers = []
        if origin is not None:
            headers.append((b"origin", origin))
        if client is None and user is not None:
            client = await logged_in(user)
        if client is not None:
            headers.append(session_cookie(client))
        if cookie is not None:
            headers.append((b"cookie", cookie))
        communicator = WebsocketCommunicator(
            self.application, path or chat_path(group, leaders=leaders), headers=headers
        )
        self.opened.append(communicator)
        connected, detail = await communicator.connect(timeout=ARRIVES)
        return communicator, connected, detail

    async def open(self, user, group, *, leaders=False, client=None) -> Socket:
        communicator, connected, detail = await self.attempt(
            user, group, leaders=leaders, client=client
        )
        assert connected, f"{user} was refused with {detail}"
        socket = Socket(communicator, str(user))
        socket.hello = await socket.expect("hello")
        return socket

    async def close_all(self) -> None:
        for communicator in self.opened:
            future = communicator._future
            if future is None:
                continue
            if future.done():
                if not future.cancelled() and not getattr(communicator, "crash_seen", False):
                    future.result()  # re-raises anything the consumer crashed with
                continue
            await communicator.disconnect(timeout=ARRIVES)


@pytest_asyncio.fixture
async def sockets():
    opener = Sockets()
    yield opener
    await opener.close_all()


@database_sync_to_async
def rows(room: ChatRoom | None = None, **filters) -> list[ChatMessage]:
    messages = ChatMessage.objects.order_by("seq")
    if room is not None:
        messages = messages.filter(room=room)
    return list(messages.filter(**filters))


@database_sync_to_async
def members_room(group: Group) -> ChatRoom:
    return chat_services.room_for(group)


@database_sync_to_async
def leaders_room(group: Group) -> ChatRoom:
    return chat_services.room_for(group, ChatRoom.Kind.LEADERS)


def run_sync(function, *args, **kwargs):
    return database_sync_to_async(function)(*args, **kwargs)


def sanction_member(service, place, **kwargs):
    """The place's leader sanctions its member (run it with run_sync)."""
    membership = membership_of(place.group, place.member)
    return service(acting_user=place.leader, membership=membership, **kwargs)


# --- who may connect -----------------------------------------------------------------


async def test_a_member_connects_and_is_greeted_with_the_room_state(sockets):
    place = await community()
    room = await members_room(place.group)

    socket = await sockets.open(place.member, place.group)

    expected = {
        "type": "hello", "room": room.pk, "last_seq": 0, "can_read": True, "can_send": True,
        "reason": "", "muted_until": None, "slow_mode_seconds": 0, "locked": False,
        "slow_mode_until": None,
    }  # fmt: skip
    assert {key: socket.hello.get(key, "<missing>") for key in expected} == expected
    assert await socket.is_alive()


@pytest.mark.parametrize(
    "origin",
    [None, b"http://evil.example", b"https://testserver.evil.example", b"null"],
    ids=["missing", "other-site", "look-alike", "null"],
)
async def test_a_socket_from_another_origin_is_refused_even_with_a_valid_session(sockets, origin):
    place = await community()

    _communicator, connected, _code = await sockets.attempt(
        place.member, place.group, origin=origin
    )

    assert not connected


async def test_an_anonymous_socket_is_closed_with_4401_before_accept(sockets):
    place = await community()

    _communicator, connected, code = await sockets.attempt(None, place.group)

    assert (connected, code) == (False, UNAUTHENTICATED)


async def test_a_made_up_session_cookie_counts_as_anonymous(sockets):
    place = await community()
    cookie = f"{settings.SESSION_COOKIE_NAME}=not-a-real-session-key".encode()

    _communicator, connected, code = await sockets.attempt(None, place.group, cookie=cookie)

    assert (connected, code) == (False, UNAUTHENTICATED)


async def test_an_outsider_of_a_private_group_is_closed_with_4403(sockets):
    place = await community(visibility=Group.Visibility.PRIVATE)

    _communicator, connected, code = await sockets.attempt(place.outsider, place.group)

    assert (connected, code) == (False, FORBIDDEN)


async def test_an_outsider_of_a_hidden_group_is_closed_with_4403(sockets):
    place = await community(visibility=Group.Visibility.HIDDEN)

    _communicator, connected, code = await sockets.attempt(place.outsider, place.group)

    assert (connected, code) == (False, FORBIDDEN)


async def test_chat_is_for_members_even_in_a_public_group(sockets):
    """A public group's threads are readable by anyone signed in; its chat is not."""
    place = await community(visibility=Group.Visibility.PUBLIC)

    _communicator, connected, code = await sockets.attempt(place.outsider, place.group)

    assert (connected, code) == (False, FORBIDDEN)


async def test_banned_members_and_people_waiting_for_approval_are_closed_with_4403(sockets):
    place = await community()
    requester = await run_sync(person, "Waiting")
    await run_sync(add_member, place.group, requester, state=Membership.State.REQUESTED)

    for user in (place.banned, requester):
        _communicator, connected, code = await sockets.attempt(user, place.group)
        assert (connected, code) == (False, FORBIDDEN), user


async def test_a_room_that_does_not_exist_is_closed_with_4403(sockets):
    place = await community()

    _communicator, connected, code = await sockets.attempt(
        place.member, path="/ws/groups/no-such-group/chat/"
    )

    assert (connected, code) == (False, FORBIDDEN)


async def test_a_muted_member_may_connect_and_read_but_not_send(sockets):
    place = await community()

    socket = await sockets.open(place.muted, place.group)

    assert socket.hello["can_read"] is True
    assert socket.hello["can_send"] is False
    assert socket.hello["muted_until"] is not None
    assert "muted" in socket.hello["reason"]


# --- the leaders' room ----------------------------------------------------------------


async def test_the_leaders_room_refuses_plain_members_and_admits_leaders(sockets):
    place = await community()

    _communicator, connected, code = await sockets.attempt(place.member, place.group, leaders=True)
    assert (connected, code) == (False, FORBIDDEN)
    _communicator, connected, code = await sockets.attempt(
        place.outsider, place.group, leaders=True
    )
    assert (connected, code) == (False, FORBIDDEN)

    leader = await sockets.open(place.leader, place.group, leaders=True)
    owner = await sockets.open(place.owner, place.group, leaders=True)
    room = await leaders_room(place.group)
    assert leader.hello["room"] == owner.hello["room"] == room.pk


async def test_the_leaders_room_is_a_separate_room(sockets):
    place = await community()
    members = await sockets.open(place.member, place.group)
    leader_in_members = await sockets.open(place.leader, place.group)
    leader = await sockets.open(place.leader, place.group, leaders=True)
    owner = await sockets.open(place.owner, place.group, leaders=True)

    ack = await leader.say("Leaders only: how is everyone holding up?")

    message = (await owner.expect("message"))["message"]
    assert message["id"] == ack["id"]
    assert message["seq"] == 1
    assert await members.hears_nothing()
    assert await leader_in_members.hears_nothing()
    (stored,) = await rows()
    assert stored.room_id == leader.hello["room"] != members.hello["room"]


async def test_a_leader_who_steps_down_is_shut_out_of_the_leaders_room_at_once(sockets):
    place = await community()
    leaders_socket = await sockets.open(place.leader, place.group, leaders=True)
    members_socket = await sockets.open(place.leader, place.group)
    membership = await run_sync(Membership.objects.get, user=place.leader, group=place.group)

    await run_sync(
        membership_services.leader_remove, acting_user=place.owner, membership=membership
    )

    closed = await leaders_socket.expect("closed")
    assert closed["reason"]
    await leaders_socket.expect_closed(FORBIDDEN)
    state = await members_socket.expect("state")
    assert (state["can_read"], state["can_send"]) == (True, True)
    assert await members_socket.is_alive()


# --- sending, acks, idempotency, order --------------------------------------------------


async def test_a_message_is_saved_acked_with_id_and_seq_and_reaches_the_other_member(sockets):
    place = await community()
    sender = await sockets.open(place.member, place.group)
    reader = await sockets.open(place.other, place.group)
    client_msg_id = new_id()

    await sender.send(type="send", client_msg_id=client_msg_id, body="  Day 40 today.  ")

    ack = await sender.expect("ack")
    (stored,) = await rows()
    assert (ack["id"], ack["seq"], ack["client_msg_id"]) == (stored.pk, 1, client_msg_id)
    assert stored.body == "Day 40 today."
    assert stored.author_id == place.member.pk
    assert str(stored.client_msg_id) == client_msg_id
    assert stored.state == ChatMessage.State.PUBLISHED
    received = (await reader.expect("message"))["message"]
    assert received == ack["message"]
    expected = {
        "id": stored.pk, "seq": 1, "author": place.member.public_name, "body": "Day 40 today.",
        "deleted": False, "created_at": stored.created_at.isoformat(),
        "client_msg_id": client_msg_id,
    }  # fmt: skip
    assert {key: received.get(key) for key in expected} == expected
    assert (await sender.expect("message"))["message"] == received
    room = await members_room(place.group)
    assert room.last_seq == 1


async def test_a_retry_with_the_same_client_msg_id_returns_the_original_and_stores_one_row(
    sockets,
):
    place = await community()
    sender = await sockets.open(place.member, place.group)
    reader = await sockets.open(place.other, place.group)
    client_msg_id = new_id()
    first = await sender.say("Checking in after group.", client_msg_id)
    assert (await reader.expect("message"))["message"]["id"] == first["id"]

    # The connection dropped before the ack arrived; the browser sends it again, from
    # a new socket, even with the text edited in between.
    await sender.communicator.disconnect()
    again = await sockets.open(place.member, place.group)
    await again.send(type="send", client_msg_id=client_msg_id, body="Checking in after group!")

    ack = await again.expect("ack")
    assert (ack["id"], ack["seq"]) == (first["id"], first["seq"])
    assert ack["message"]["body"] == "Checking in after group."
    assert await reader.hears_nothing(), "a retry must not be broadcast as a new message"
    assert len(await rows()) == 1
    room = await members_room(place.group)
    assert room.last_seq == 1


async def test_a_retry_under_slow_mode_still_returns_the_original(sockets):
    """The retry is the same message, not a second one: slow mode (or anything else
    that would refuse a new message) must not turn a saved message into an error."""
    place = await community()
    room = await members_room(place.group)
    await run_sync(chat_services.room_update, acting_user=place.leader, room=room,
                   slow_mode_seconds=60, locked=False)  # fmt: skip
    sender = await sockets.open(place.member, place.group)
    client_msg_id = new_id()
    first = await sender.say("Sent just before the connection dropped.", client_msg_id)

    await sender.send(type="send", client_msg_id=client_msg_id,
                      body="Sent just before the connection dropped.")  # fmt: skip

    ack = await sender.expect("ack")
    assert (ack["id"], ack["seq"]) == (first["id"], first["seq"])
    assert len(await rows()) == 1


async def test_the_database_refuses_a_second_row_for_one_client_msg_id():
    place = await community()
    room = await members_room(place.group)
    client_msg_id = uuid.uuid4()

    def insert_twice():
        for seq in (1, 2):
            ChatMessage.objects.create(room=room, seq=seq, author=place.member, body="Hi.",
                                       client_msg_id=client_msg_id)  # fmt: skip

    with pytest.raises(IntegrityError):
        await run_sync(insert_twice)
    assert len(await rows()) == 1


def _send_then_roll_back(user, room) -> None:
    """A send whose surrounding transaction fails after the message was saved."""
    with contextlib.suppress(RuntimeError), transaction.atomic():
        chat_services.chat_message_send(acting_user=user, room=room, body="Never happened.",
                                        client_msg_id=str(uuid.uuid4()))  # fmt: skip
        raise RuntimeError


async def test_a_message_is_broadcast_only_after_it_is_committed(sockets):
    place = await community()
    reader = await sockets.open(place.other, place.group)
    room = await members_room(place.group)

    await run_sync(_send_then_roll_back, place.member, room)

    assert await reader.hears_nothing(), "a rolled-back message must never be broadcast"
    assert await rows() == []
    room = await members_room(place.group)
    assert room.last_seq == 0
    # A committed one is broadcast, and is already in the database when it arrives.
    await run_sync(chat_services.chat_message_send, acting_user=place.member, room=room,
                   body="This one happened.", client_msg_id=new_id())  # fmt: skip
    arrived = (await reader.expect("message"))["message"]
    assert arrived["seq"] == 1
    assert [row.pk for row in await rows()] == [arrived["id"]]


async def test_another_member_may_use_the_same_client_msg_id(sockets):
    place = await community()
    first = await sockets.open(place.member, place.group)
    second = await sockets.open(place.other, place.group)
    client_msg_id = new_id()

    one = await first.say("Same id, first author.", client_msg_id)
    await second.expect("message")
    two = await second.say("Same id, second author.", client_msg_id)

    assert one["id"] != two["id"]
    assert (one["seq"], two["seq"]) == (1, 2)


async def test_a_client_msg_id_used_in_another_room_is_refused_not_moved(sockets):
    place = await community()
    members = await sockets.open(place.leader, place.group)
    leaders = await sockets.open(place.leader, place.group, leaders=True)
    client_msg_id = new_id()
    await members.say("In the members' room.", client_msg_id)

    await leaders.send(type="send", client_msg_id=client_msg_id, body="In the leaders' room.")

    error = await leaders.expect("error")
    assert error["client_msg_id"] == client_msg_id
    (stored,) = await rows()
    assert stored.room_id == members.hello["room"]


async def test_two_members_sending_at_once_get_contiguous_seqs(sockets):
    place = await community()
    first = await sockets.open(place.member, place.group)
    second = await sockets.open(place.other, place.group)
    watcher = await sockets.open(place.leader, place.group)

    await asyncio.gather(
        first.send(type="send", client_msg_id=new_id(), body="From the first member."),
        second.send(type="send", client_msg_id=new_id(), body="From the second member."),
    )

    acks = [await first.expect("ack"), await second.expect("ack")]
    assert sorted(ack["seq"] for ack in acks) == [1, 2]
    seen = sorted([(await watcher.expect("message"))["message"]["seq"] for _ in range(2)])
    assert seen == [1, 2]
    assert [row.seq for row in await rows()] == [1, 2]


def _send_from_threads(jobs) -> list:
    """Run chat_message_send for every job at the same moment, each in its own thread
    with its own database connection."""
    barrier = threading.Barrier(len(jobs))

    def send(job):
        user, room, body, client_msg_id = job
        try:
            barrier.wait(timeout=10)
            message, _created = chat_services.chat_message_send(
                acting_user=user, room=room, body=body, client_msg_id=client_msg_id
            )
            return message.pk, message.seq
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(send, jobs))


async def test_truly_concurrent_sends_never_skip_or_repeat_a_seq():
    """Separate threads and connections (the consumers of several servers): the room's
    row lock hands out 1..n in commit order, so a client at n never misses one below."""
    place = await community()
    room = await members_room(place.group)
    people = [place.member, place.other, place.leader, place.owner, place.newcomer]
    jobs = [
        (people[number % len(people)], room, f"Message {number}", str(uuid.uuid4()))
        for number in range(10)
    ]

    results = await asyncio.to_thread(_send_from_threads, jobs)

    assert sorted(seq for _pk, seq in results) == list(range(1, 11))
    stored = await rows()
    assert [row.seq for row in stored] == list(range(1, 11))
    assert sorted(row.body for row in stored) == sorted(body for _u, _r, body, _c in jobs)
    room = await members_room(place.group)
    assert room.last_seq == 10


async def test_a_double_send_racing_in_two_threads_stores_one_message():
    place = await community()
    room = await members_room(place.group)
    client_msg_id = str(uuid.uuid4())
    jobs = [(place.member, room, "Only once, please.", client_msg_id)] * 4

    results = await asyncio.to_thread(_send_from_threads, jobs)

    assert len(set(results)) == 1
    (stored,) = await rows()
    assert (stored.pk, stored.seq) == results[0] == (stored.pk, 1)
    room = await members_room(place.group)
    assert room.last_seq == 1, "a refused duplicate must not use up a sequence number"


# --- backfill ---------------------------------------------------------------------------


def lose_next_chat_message(monkeypatch) -> list[dict]:
    """Make the channel layer lose the next "chat.message" event, wherever it is rung
    from (the service after commit, or the consumer); returns the list of lost events."""
    layer = get_channel_layer()
    real_group_send = layer.group_send
    lost: list[dict] = []

    async def group_send(group, message):
        if message.get("type") == "chat.message" and not lost:
            lost.append(message)
            return
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", group_send)
    return lost


async def test_a_dropped_broadcast_is_caught_up_by_sync_exactly_once(sockets, monkeypatch):
    place = await community()
    sender = await sockets.open(place.member, place.group)
    reader = await sockets.open(place.other, place.group)
    first = await sender.say("First, delivered live.")
    assert (await reader.expect("message"))["message"]["seq"] == first["seq"] == 1

    # The channel layer loses the next broadcast: the message is saved and acked anyway.
    lost_events = lose_next_chat_message(monkeypatch)
    await sender.send(type="send", client_msg_id=new_id(), body="Second, lost in transit.")
    lost = await sender.expect("ack")
    assert lost["seq"] == 2
    # The room is rung after the ack, beside the socket.
    async with asyncio.timeout(ARRIVES):
        while not lost_events:
            await asyncio.sleep(0.01)
    assert [json.loads(event["frame"])["message"]["id"] for event in lost_events] == [lost["id"]]
    assert await reader.hears_nothing()
    assert await sender.hears_nothing()

    await reader.send(type="sync", after=1)

    backfill = await reader.expect("backfill")
    assert [message["id"] for message in backfill["messages"]] == [lost["id"]]
    assert backfill["messages"][0] == lost["message"]
    assert await reader.hears_nothing(), "the missed message must arrive exactly once"
    # Live delivery carries on after the gap.
    third = await sender.say("Third, live again.")
    assert (await reader.expect("message"))["message"]["seq"] == third["seq"] == 3


async def test_sync_returns_every_missed_message_in_seq_order(sockets):
    place = await community()
    await _fill_room(place, 7)
    socket = await sockets.open(place.other, place.group)
    assert socket.hello["last_seq"] == 7

    await socket.send(type="sync", after=3)
    backfill = await socket.expect("backfill")
    assert [message["seq"] for message in backfill["messages"]] == [4, 5, 6, 7]

    await socket.send(type="sync", after=7)
    assert (await socket.expect("backfill"))["messages"] == []


@database_sync_to_async
def _fill_room(place: Community, count: int, room: ChatRoom | None = None) -> ChatRoom:
    """``count`` messages saved straight to the database, as a busy evening would."""
    room = room or chat_services.room_for(place.group)
    start = room.last_seq
    ChatMessage.objects.bulk_create(
        ChatMessage(room=room, seq=start + number, author=place.member,
                    body=f"Message number {start + number}")
        for number in range(1, count + 1)
    )  # fmt: skip
    room.last_seq = start + count
    room.save(update_fields=["last_seq"])
    return room


async def test_sync_beyond_the_backfill_limit_says_reload(sockets):
    limit = chat_selectors.BACKFILL_LIMIT
    place = await community()
    await _fill_room(place, limit + 1)
    socket = await sockets.open(place.other, place.group)

    await socket.send(type="sync", after=0)
    assert (await socket.expect("reload"))["reason"]

    await socket.send(type="sync", after=1)
    backfill = await socket.expect("backfill")
    assert [message["seq"] for message in backfill["messages"]] == list(range(2, limit + 2))
    assert await socket.is_alive()


async def test_a_sync_from_someone_who_lost_access_closes_the_socket(sockets):
    place = await community()
    await _fill_room(place, 2)
    socket = await sockets.open(place.other, place.group)
    await run_sync(
        Membership.objects.filter(user=place.other, group=place.group).update,
        state=Membership.State.BANNED,
    )

    await socket.send(type="sync", after=0)

    await socket.expect_closed(FORBIDDEN)


# --- input that must not hurt -----------------------------------------------------------

VALID_ID = "6f1d3a4e-2b7c-4d8e-9f00-123456789abc"


def _send_frame(body=None, client_msg_id=VALID_ID, **extra) -> str:
    frame = {"type": "send", **extra}
    if client_msg_id is not ...:
        frame["client_msg_id"] = client_msg_id
    if body is not ...:
        frame["body"] = body
    return json.dumps(frame)


BAD_FRAMES = [
    ("not json", "hello there", "malformed"),
    ("truncated json", '{"type": "send", "body": "hi"', "malformed"),
    ("json array", '["send", "hi"]', "malformed"),
    ("json null", "null", "malformed"),
    ("json string", '"send"', "malformed"),
    ("json number", "42", "malformed"),
    ("no type", '{"body": "hi", "client_msg_id": "' + VALID_ID + '"}', "malformed"),
    ("type is a number", '{"type": 7}', "malformed"),
    ("type is a list", '{"type": ["send"]}', "malformed"),
    ("type is null", '{"type": null}', "malformed"),
    ("unknown type", '{"type": "dance"}', "unknown_type"),
    ("type in capitals", _send_frame("hi").replace('"send"', '"SEND"'), "unknown_type"),
    ("handler name as type", '{"type": "chat.message", "message": {}}', "unknown_type"),
    ("nested deeply", "[" * 5000 + "]" * 5000, "malformed"),
    ("number too long", '{"type": "sync", "after": ' + "9" * 5000 + "}", "malformed"),
    ("body is a number", _send_frame(42), "invalid"),
    ("body is a list", _send_frame(["hi"]), "invalid"),
    ("body is an object", _send_frame({"text": "hi"}), "invalid"),
    ("body is null", _send_frame(None), "invalid"),
    ("body is missing", _send_frame(...), "invalid"),
    ("client id is missing", _send_frame("hi", client_msg_id=...), "invalid"),
    ("client id is a number", _send_frame("hi", client_msg_id=12345), "invalid"),
    ("client id is not a uuid", _send_frame("hi", client_msg_id="abc"), "invalid"),
    ("client id is empty", _send_frame("hi", client_msg_id=""), "invalid"),
    ("body is empty", _send_frame(""), "required"),
    ("body is only spaces", _send_frame(" \n\t "), "required"),
    ("body is too long", _send_frame("x" * (MESSAGE_MAX_LENGTH + 1)), "max_length"),
    ("body has a NUL byte", _send_frame("hello\x00world"), "hidden_characters"),
    ("body is only a NUL byte", _send_frame("\x00"), "hidden_characters"),
    ("body has a bidi override", _send_frame("abc\u202edcba"), "hidden_characters"),
    ("body has a bidi isolate", _send_frame("\u2066abc\u2069"), "hidden_characters"),
    ("body has a lone surrogate", _send_frame("hi \ud800 there"), None),
    ("sync after is text", '{"type": "sync", "after": "5"}', "invalid"),
    ("sync after is negative", '{"type": "sync", "after": -1}', "invalid"),
    ("sync after is a boolean", '{"type": "sync", "after": true}', "invalid"),
    ("sync after is a fraction", '{"type": "sync", "after": 1.5}', "invalid"),
    ("sync after is NaN", '{"type": "sync", "after": NaN}', "invalid"),
    ("sync after is null", '{"type": "sync", "after": null}', "invalid"),
    ("delete id is text", '{"type": "delete", "id": "1"}', "invalid"),
    ("delete id is missing", '{"type": "delete"}', "invalid"),
    ("report id is text", '{"type": "report", "id": "1", "reason": "spam"}', "invalid"),
    ("report reason missing", '{"type": "report", "id": 1}', "invalid"),
    ("report reason is a number", '{"type": "report", "id": 1, "reason": 3}', "invalid"),
]


@pytest.mark.parametrize(
    ("frame", "code"),
    [(frame, code) for _label, frame, code in BAD_FRAMES],
    ids=[label for label, _frame, _code in BAD_FRAMES],
)
async def test_bad_input_gets_an_error_frame_stores_nothing_and_the_socket_stays_usable(
    sockets, frame, code
):
    place = await community()
    socket = await sockets.open(place.member, place.group)
    other = await sockets.open(place.other, place.group)

    await socket.send_text(frame)

    error = await socket.expect("error")
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    assert await rows() == []
    room = await members_room(place.group)
    assert room.last_seq == 0
    # The same socket still works, and the next thing anyone hears is the good message:
    # nothing was broadcast for the bad frame.
    ack = await socket.say("A perfectly ordinary message.")
    assert ack["seq"] == 1
    assert (await other.expect("message"))["message"]["id"] == ack["id"]
    (stored,) = await rows()
    assert stored.body == "A perfectly ordinary message."


async def test_a_binary_frame_gets_an_error_frame(sockets):
    place = await community()
    socket = await sockets.open(place.member, place.group)

    await socket.communicator.send_to(bytes_data=_send_frame("hi").encode())

    assert (await socket.expect("error"))["code"] == "invalid"
    assert await rows() == []
    assert (await socket.say("Text, this time."))["seq"] == 1


async def test_a_frame_over_16_kib_gets_an_error_frame_and_the_socket_stays_open(sockets):
    """It used to be closed with 1009, which daphne can't send from an application:
    the browser saw 1011, reconnected and sent the same frame again, forever."""
    place = await community()
    socket = await sockets.open(place.member, place.group)
    frame = _send_frame("x" * FRAME_LIMIT)
    assert len(frame.encode()) > FRAME_LIMIT

    await socket.send_text(frame)

    error = await socket.expect("error")
    assert (error["code"], error["client_msg_id"]) == ("max_length", VALID_ID)
    assert await socket.is_alive()
    assert await rows() == []


async def test_a_pasted_100_000_character_message_is_refused_by_frame_and_kept_open(sockets):
    """The browser refuses it first; this is the server when that check is bypassed.
    The error names the client id and says how long it was, so the browser gives the
    text back to the member instead of resending it."""
    place = await community()
    socket = await sockets.open(place.member, place.group)
    other = await sockets.open(place.other, place.group)
    client_msg_id = new_id()

    await socket.send(type="send", client_msg_id=client_msg_id, body="p" * 100_000)

    error = await socket.expect("error")
    assert (error["code"], error["client_msg_id"]) == ("max_length", client_msg_id)
    assert "100,000" in error["message"]
    assert "2,000" in error["message"]
    assert await other.hears_nothing()
    assert await rows() == []
    assert (await socket.say("A shorter one."))["seq"] == 1


async def test_a_big_frame_that_is_not_a_send_gets_an_error_frame(sockets):
    place = await community()
    socket = await sockets.open(place.member, place.group)

    await socket.send_text(json.dumps({"type": "typing", "padding": "x" * FRAME_LIMIT}))

    assert (await socket.expect("error"))["code"] == "too_big"
    assert await socket.is_alive()


async def test_the_frame_limit_counts_bytes_not_characters(sockets):
    place = await community()
    socket = await sockets.open(place.member, place.group)
    # 1,800 characters (under the message limit) but 3 bytes each: 5,400 bytes, fine;
    # 6,000 of them are 18,000 bytes, over the frame limit.
    await socket.send_text(json.dumps({"type": "send", "client_msg_id": new_id(),
                                       "body": "€" * 1_800}, ensure_ascii=False))  # fmt: skip
    assert (await socket.expect("ack"))["seq"] == 1
    await socket.expect("message")

    await socket.send_text(json.dumps({"type": "send", "client_msg_id": new_id(),
                                       "body": "€" * 6_000}, ensure_ascii=False))  # fmt: skip

    assert (await socket.expect("error"))["code"] == "max_length"
    assert await socket.is_alive()
    assert len(await rows()) == 1


async def test_a_frame_of_exactly_16_kib_is_read_and_answered(sockets):
    place = await community()
    socket = await sockets.open(place.member, place.group)
    frame = _send_frame("")
    frame = _send_frame("y" * (FRAME_LIMIT - len(frame)))
    assert len(frame.encode()) == FRAME_LIMIT

    await socket.send_text(frame)

    assert (await socket.expect("error"))["code"] == "max_length"
    assert await socket.is_alive()


async def test_a_message_of_exactly_the_maximum_length_is_accepted(sockets):
    place = await community()
    socket = await sockets.open(place.member, place.group)

    await socket.say("z" * MESSAGE_MAX_LENGTH)

    (stored,) = await rows()
    assert len(stored.body) == MESSAGE_MAX_LENGTH


@pytest.fixture
def slow_refill(monkeypatch):
    """The real limiter with the real burst, refilling slowly enough that a busy
    machine can't refill a token while a test empties the bucket."""
    limit = dataclasses.replace(limits.CHAT_SEND, every=20.0)
    monkeypatch.setattr(limits, "CHAT_SEND", limit)
    return limit


async def test_a_burst_of_sends_is_rate_limited_per_member(sockets, slow_refill):
    place = await community()
    socket = await sockets.open(place.member, place.group)
    second_tab = await sockets.open(place.member, place.group)
    for number in range(limits.CHAT_SEND.burst):
        await socket.say(f"Quick message {number}")
        await second_tab.expect("message")

    client_msg_id = new_id()
    # The bucket belongs to the member, not the socket: another tab doesn't help.
    await second_tab.send(type="send", client_msg_id=client_msg_id, body="One too many.")

    error = await second_tab.expect("error")
    assert (error["code"], error["client_msg_id"]) == ("rate_limited", client_msg_id)
    # It says when to try again (seconds), so the browser keeps it and waits.
    assert 0 < error["retry_after"] <= slow_refill.every
    assert len(await rows()) == limits.CHAT_SEND.burst
    assert await socket.hears_nothing()
    # Someone else is not slowed down by it.
    other = await sockets.open(place.other, place.group)
    assert (await other.say("I can still talk."))["seq"] == limits.CHAT_SEND.burst + 1


async def test_after_retry_after_the_refused_message_is_accepted(sockets):
    """With the real numbers: send until refused (a slow machine may refill a token
    meanwhile), wait the time the error names, and the same message goes through."""
    place = await community()
    socket = await sockets.open(place.member, place.group)
    for number in range(limits.CHAT_SEND.burst * 3):
        client_msg_id = new_id()
        await socket.send(type="send", client_msg_id=client_msg_id, body=f"Quick {number}")
        frame = await socket.expect_one_of("ack", "error")
        if frame["type"] == "error":
            break
        await socket.expect("message")
    assert number >= limits.CHAT_SEND.burst, "the burst was cut short"
    assert (frame["code"], frame["client_msg_id"]) == ("rate_limited", client_msg_id)
    assert 0 < frame["retry_after"] <= limits.CHAT_SEND.every

    await asyncio.sleep(frame["retry_after"])

    ack = await socket.say(f"Quick {number}", client_msg_id)
    assert ack["seq"] == number + 1


async def test_retries_of_saved_messages_are_never_charged_or_refused_even_when_the_bucket_is_empty(
    sockets, slow_refill
):
    """After a reconnect the browser resends what it never saw acked, though the
    server may have saved it. Those retries are answered with the original ack before
    the limit is asked, so they neither cost a token nor get refused."""
    place = await community()
    socket = await sockets.open(place.member, place.group)
    sent = [await socket.say(f"Before the tunnel {n}") for n in range(limits.CHAT_SEND.burst)]
    client_ids = [ack["client_msg_id"] for ack in sent]
    # The bucket is empty now: a new message is refused...
    await socket.send(type="send", client_msg_id=new_id(), body="New, and too soon.")
    assert (await socket.expect("error"))["code"] == "rate_limited"

    # ...but every retry, from a new socket, is acked with the original, twice over.
    again = await sockets.open(place.member, place.group)
    for _round in range(2):
        for client_msg_id, original in zip(client_ids, sent, strict=True):
            await again.send(type="send", client_msg_id=client_msg_id, body="edited")
            ack = await again.expect("ack")
            assert (ack["client_msg_id"], ack["id"], ack["seq"]) == (
                client_msg_id, original["id"], original["seq"])  # fmt: skip
            assert ack["message"]["body"] == original["message"]["body"]
    assert await socket.hears_nothing(), "a retry must not be broadcast again"
    assert len(await rows()) == limits.CHAT_SEND.burst


# --- slow mode and pausing ----------------------------------------------------------------


async def test_slow_mode_makes_members_wait_and_tells_them_how_long(sockets):
    place = await community()
    member = await sockets.open(place.member, place.group)
    leader = await sockets.open(place.leader, place.group)
    room = await members_room(place.group)

    await run_sync(chat_services.room_update, acting_user=place.leader, room=room,
                   slow_mode_seconds=30, locked=False)  # fmt: skip

    member_state = await member.expect("state")
    assert (member_state["slow_mode_seconds"], member_state["can_send"]) == (30, True)
    assert (await leader.expect("state"))["slow_mode_seconds"] == 30
    await member.say("First message under slow mode.")
    await leader.expect("message")
    client_msg_id = new_id()

    await member.send(type="send", client_msg_id=client_msg_id, body="Too soon.")

    error = await member.expect("error")
    assert error["code"] == "slow_mode"
    assert error["client_msg_id"] == client_msg_id
    assert 25 <= error["retry_after"] <= 31
    assert await leader.hears_nothing()
    assert [row.body for row in await rows()] == ["First message under slow mode."]
    # Leaders are exempt.
    await leader.say("Leaders are not slowed.")
    await member.expect("message")
    await leader.say("Not even twice.")
    await member.expect("message")
    assert len(await rows()) == 3


async def test_the_hello_frame_says_when_slow_mode_lets_the_member_send_again(sockets):
    place = await community()
    room = await members_room(place.group)
    await run_sync(chat_services.room_update, acting_user=place.leader, room=room,
                   slow_mode_seconds=60, locked=False)  # fmt: skip
    await run_sync(chat_services.chat_message_send, acting_user=place.member, room=room,
                   body="Before I reconnected.", client_msg_id=new_id())  # fmt: skip

    socket = await sockets.open(place.member, place.group)

    until = datetime.datetime.fromisoformat(socket.hello["slow_mode_until"])
    assert timezone.now() + datetime.timedelta(seconds=50) < until
    assert until <= timezone.now() + datetime.timedelta(seconds=60)


async def test_a_paused_chat_stops_members_but_not_leaders(sockets):
    place = await community()
    member = await sockets.open(place.member, place.group)
    leader = await sockets.open(place.leader, place.group)
    room = await members_room(place.group)

    await run_sync(chat_services.room_update, acting_user=place.leader, room=room,
                   slow_mode_seconds=0, locked=True)  # fmt: skip

    member_state = await member.expect("state")
    assert (member_state["locked"], member_state["can_send"], member_state["can_read"]) == (
        True, False, True,
    )  # fmt: skip
    assert "paused" in member_state["reason"]
    leader_state = await leader.expect("state")
    assert (leader_state["locked"], leader_state["can_send"]) == (True, True)

    await member.send(type="send", client_msg_id=new_id(), body="Can I still talk?")
    assert (await member.expect("error"))["code"] == "forbidden"
    assert (await member.expect("state"))["can_send"] is False
    assert await rows() == []

    await leader.say("Pausing for a moment, back soon.")
    assert (await member.expect("message"))["message"]["seq"] == 1

    await run_sync(chat_services.room_update, acting_user=place.leader, room=room,
                   slow_mode_seconds=0, locked=False)  # fmt: skip
    assert (await member.expect("state"))["can_send"] is True
    await leader.expect("state")
    assert (await member.say("Thanks for unpausing."))["seq"] == 2


# --- sanctions, leaving and logging out on an open socket ---------------------------------


async def test_a_mute_keeps_the_socket_open_but_stops_sending(sockets):
    place = await community()
    member = await sockets.open(place.member, place.group)
    other = await sockets.open(place.other, place.group)
    until = timezone.now() + datetime.timedelta(hours=1)

    await run_sync(
        sanction_member,
        sanction_services.sanction_mute,
        place,
        reason="Cool off a bit.",
        until=until,
    )

    state = await member.expect("state")
    assert (state["can_read"], state["can_send"]) == (True, False)
    assert datetime.datetime.fromisoformat(state["muted_until"]) == until
    assert "muted" in state["reason"]
    assert await other.hears_nothing(), "only the muted member's sockets are told"

    client_msg_id = new_id()
    await member.send(type="send", client_msg_id=client_msg_id, body="Am I muted?")
    error = await member.expect("error")
    assert (error["code"], error["client_msg_id"]) == ("forbidden", client_msg_id)
    assert (await member.expect("state"))["can_send"] is False
    assert await other.hears_nothing()
    assert await rows() == []
    # A muted member still reads the chat.
    ack = await other.say("We're still here for you.")
    assert (await member.expect("message"))["message"]["id"] == ack["id"]


async def test_lifting_a_mute_lets_the_member_send_again_without_reconnecting(sockets):
    place = await community()
    member = await sockets.open(place.member, place.group)
    sanction = await run_sync(
        sanction_member, sanction_services.sanction_mute, place, reason="Cool off a bit.",
        until=timezone.now() + datetime.timedelta(hours=1),
    )  # fmt: skip
    assert (await member.expect("state"))["can_send"] is False

    await run_sync(sanction_services.sanction_lift, acting_user=place.leader,
                   sanction=sanction, reason="Talked it through.")  # fmt: skip

    state = await member.expect("state")
    assert (state["can_send"], state["muted_until"]) == (True, None)
    assert (await member.say("Thank you."))["seq"] == 1


async def _assert_shut_out(socket: Socket) -> None:
    closed = await socket.expect("closed")
    assert closed["reason"]
    await socket.expect_closed(FORBIDDEN)


async def test_a_ban_closes_the_members_open_sockets_at_once_with_4403(sockets):
    place = await community()
    first_tab = await sockets.open(place.member, place.group)
    second_tab = await sockets.open(place.member, place.group)
    other = await sockets.open(place.other, place.group)

    await run_sync(
        sanction_member, sanction_services.sanction_ban, place, reason="Repeated harassment."
    )

    await _assert_shut_out(first_tab)
    await _assert_shut_out(second_tab)
    assert await other.hears_nothing()
    assert await other.is_alive()


async def test_a_ban_in_one_group_leaves_the_members_chat_in_another_group_open(sockets):
    place = await community()
    elsewhere = await community()
    await run_sync(add_member, elsewhere.group, place.member)
    here = await sockets.open(place.member, place.group)
    there = await sockets.open(place.member, elsewhere.group)

    await run_sync(
        sanction_member, sanction_services.sanction_ban, place, reason="Repeated harassment."
    )

    await _assert_shut_out(here)
    # Told to check again (once per service that changed access), and still welcome.
    state = await there.expect("state")
    assert (state["can_read"], state["can_send"]) == (True, True)
    while not await there.hears_nothing():
        assert (await there.expect("state"))["can_send"] is True
    assert (await there.say("Still welcome here."))["seq"] == 1


async def test_removal_closes_the_members_open_socket_with_4403(sockets):
    place = await community()
    member = await sockets.open(place.member, place.group)

    await run_sync(
        sanction_member, sanction_services.sanction_remove, place, reason="Sharing sourcing tips.",
    )  # fmt: skip

    await _assert_shut_out(member)
    _communicator, connected, code = await sockets.attempt(place.member, place.group)
    assert (connected, code) == (False, FORBIDDEN)


async def test_leaving_the_group_closes_its_chat_sockets(sockets):
    place = await community()
    member = await sockets.open(place.member, place.group)

    await run_sync(membership_services.membership_leave, acting_user=place.member,
                   group=place.group)  # fmt: skip

    await _assert_shut_out(member)


async def test_a_site_wide_suspension_stops_sending_but_not_reading(sockets):
    place = await community()
    staff = await run_sync(make_staff)
    member = await sockets.open(place.member, place.group)

    await run_sync(sanction_services.sanction_suspend, acting_user=staff, user=place.member,
                   reason="Spam everywhere.",
                   until=timezone.now() + datetime.timedelta(days=1))  # fmt: skip

    state = await member.expect("state")
    assert (state["can_read"], state["can_send"]) == (True, False)
    await member.send(type="send", client_msg_id=new_id(), body="Hello?")
    assert (await member.expect("error"))["code"] == "forbidden"
    assert await rows() == []


async def test_logging_out_closes_the_sockets_of_that_session_only(sockets):
    place = await community()
    laptop = await logged_in(place.member)
    phone = await logged_in(place.member)
    on_laptop = await sockets.open(place.member, place.group, client=laptop)
    on_phone = await sockets.open(place.member, place.group, client=phone)

    response = await run_sync(laptop.post, reverse("account_logout"))

    assert response.status_code == 302
    await on_laptop.expect_closed(UNAUTHENTICATED)
    assert await on_phone.hears_nothing()
    assert await on_phone.is_alive()
    _communicator, connected, code = await sockets.attempt(place.member, place.group,
                                                           client=laptop)  # fmt: skip
    assert (connected, code) == (False, UNAUTHENTICATED)


# --- revoked while connected, with nobody telling the socket -----------------------------


async def test_a_membership_deleted_while_connected_stops_the_next_send(sockets):
    place = await community(visibility=Group.Visibility.PRIVATE)
    member = await sockets.open(place.member, place.group)
    other = await sockets.open(place.other, place.group)
    await run_sync(Membership.objects.filter(user=place.member, group=place.group).delete)

    await member.send(type="send", client_msg_id=new_id(), body="Still here?")

    frame = await member.receive()
    assert frame["type"] in {"error", "closed", "<closed>"}, frame
    assert await other.hears_nothing()
    assert await rows() == []


async def test_a_ban_written_while_connected_stops_the_next_send(sockets):
    """Even if no notice reaches the socket, every message re-checks membership."""
    place = await community()
    member = await sockets.open(place.member, place.group)
    other = await sockets.open(place.other, place.group)
    await run_sync(
        Membership.objects.filter(user=place.member, group=place.group).update,
        state=Membership.State.BANNED,
    )

    await member.send(type="send", client_msg_id=new_id(), body="Still here?")

    frame = await member.receive()
    assert frame["type"] in {"error", "closed", "<closed>"}, frame
    assert await other.hears_nothing()
    assert await rows() == []


async def test_a_mute_written_while_connected_stops_the_next_send(sockets):
    place = await community()
    member = await sockets.open(place.member, place.group)
    await run_sync(
        Membership.objects.filter(user=place.member, group=place.group).update,
        muted_until=timezone.now() + datetime.timedelta(hours=2),
    )

    await member.send(type="send", client_msg_id=new_id(), body="Still here?")

    assert (await member.expect("error"))["code"] == "forbidden"
    state = await member.expect("state")
    assert (state["can_read"], state["can_send"]) == (True, False)
    assert await rows() == []


async def test_a_socket_that_learns_its_member_lost_access_gets_no_more_messages(sockets):
    """Once a send has shown the member can no longer read the room, the socket must
    not go on receiving the room's messages."""
    place = await community(visibility=Group.Visibility.PRIVATE)
    member = await sockets.open(place.member, place.group)
    other = await sockets.open(place.other, place.group)
    await run_sync(
        Membership.objects.filter(user=place.member, group=place.group).update,
        state=Membership.State.REMOVED,
    )
    await member.send(type="send", client_msg_id=new_id(), body="Still here?")
    refusal = await member.expect("error")
    assert refusal["code"] == "forbidden"

    await other.say("A private message for members only.")

    frames = []
    while not await member.hears_nothing():
        frame = await member.receive()
        frames.append(frame)
        if frame["type"] == "<closed>":
            break
    assert [frame for frame in frames if frame["type"] == "message"] == [], frames


async def test_an_account_deactivated_while_connected_cannot_send(sockets):
    place = await community()
    member = await sockets.open(place.member, place.group)
    await run_sync(User.objects.filter(pk=place.member.pk).update, is_active=False)

    await member.send(type="send", client_msg_id=new_id(), body="Still here?")

    frame = await member.receive()
    assert frame["type"] in {"error", "closed", "<closed>"}, frame
    assert await rows() == []


# --- leaders delete, members report ------------------------------------------------------


async def test_a_leader_deletes_a_message_and_the_tombstone_reaches_everyone(sockets):
    place = await community()
    author = await sockets.open(place.member, place.group)
    reader = await sockets.open(place.other, place.group)
    leader = await sockets.open(place.leader, place.group)
    ack = await author.say("Something that breaks the rules.")
    await reader.expect("message")
    await leader.expect("message")

    await leader.send(type="delete", id=ack["id"], reason="Sourcing.")

    for socket in (author, reader, leader):
        tombstone = (await socket.expect("message"))["message"]
        assert (tombstone["id"], tombstone["seq"]) == (ack["id"], ack["seq"])
        assert (tombstone["deleted"], tombstone["body"]) == (True, "")
    (stored,) = await rows()
    assert stored.state == ChatMessage.State.DELETED
    assert stored.deleted_reason == "Sourcing."
    assert (
        await run_sync(
            ModerationLogEntry.objects.filter(
                action=ModerationLogEntry.Action.CHAT_MESSAGE_DELETED, group=place.group
            ).count
        )
        == 1
    )
    # A member who syncs later sees the tombstone too, never the text.
    await reader.send(type="sync", after=0)
    (synced,) = (await reader.expect("backfill"))["messages"]
    assert (synced["deleted"], synced["body"]) == (True, "")


async def test_a_member_cannot_delete_a_message(sockets):
    place = await community()
    author = await sockets.open(place.member, place.group)
    other = await sockets.open(place.other, place.group)
    ack = await author.say("My own words.")
    await other.expect("message")

    for socket in (author, other):
        await socket.send(type="delete", id=ack["id"])
        assert (await socket.expect("error"))["code"] == "forbidden"
    assert await author.hears_nothing()
    (stored,) = await rows()
    assert stored.state == ChatMessage.State.PUBLISHED


async def test_a_leader_cannot_delete_a_message_from_another_room_through_this_one(sockets):
    place = await community()
    elsewhere = await community()
    far_room = await members_room(elsewhere.group)
    far_message, _created = await run_sync(
        chat_services.chat_message_send, acting_user=elsewhere.member, room=far_room,
        body="In another group.", client_msg_id=new_id(),
    )  # fmt: skip
    leader = await sockets.open(place.leader, place.group)

    await leader.send(type="delete", id=far_message.pk)

    assert (await leader.expect("error"))["code"] == "forbidden"
    (stored,) = await rows()
    assert stored.state == ChatMessage.State.PUBLISHED


async def test_a_member_reports_a_message_into_the_moderation_queue(sockets):
    place = await community()
    author = await sockets.open(place.member, place.group)
    reporter = await sockets.open(place.other, place.group)
    queue_communicator, connected, _detail = await sockets.attempt(
        place.leader, path="/ws/moderation/"
    )
    assert connected
    ack = await author.say("Anyone want to meet up and score?")
    await reporter.expect("message")

    await reporter.send(type="report", id=ack["id"], reason="sourcing", note="Selling.")

    reported = await reporter.expect("reported")
    assert reported["id"] == ack["id"]
    item = await run_sync(
        ReviewItem.objects.get, target_key=f"chat:{ack['id']}", kind=ReviewItem.Kind.REPORT
    )
    assert item.kind == ReviewItem.Kind.REPORT
    assert item.group_id == place.group.pk
    assert item.subject_id == place.member.pk
    assert item.status in ReviewItem.LIVE
    assert item.snapshot == "Anyone want to meet up and score?"
    report = await run_sync(Report.objects.get, target_key=f"chat:{ack['id']}")
    assert (report.reporter_id, report.reason, report.note) == (
        place.other.pk, "sourcing", "Selling.",
    )  # fmt: skip
    doorbell = json.loads((await queue_communicator.receive_output(ARRIVES))["text"])
    assert (doorbell["type"], doorbell["item"]) == ("queue.changed", item.pk)
    assert await author.hears_nothing(), "the author is not told who reported"

    await reporter.send(type="report", id=ack["id"], reason="sourcing")
    assert (await reporter.expect("error"))["code"] == "already_reported"
    await author.send(type="report", id=ack["id"], reason="spam")
    assert (await author.expect("error"))["code"] == "own"
    await reporter.send(type="report", id=ack["id"], reason="because")
    assert (await reporter.expect("error"))["code"] == "invalid"
    assert await run_sync(Report.objects.count) == 1


async def test_a_risk_report_is_urgent(sockets):
    place = await community()
    author = await sockets.open(place.member, place.group)
    reporter = await sockets.open(place.other, place.group)
    ack = await author.say("I don't see the point of any of this any more.")
    await reporter.expect("message")

    await reporter.send(type="report", id=ack["id"], reason="risk")

    await reporter.expect("reported")
    item = await run_sync(
        ReviewItem.objects.get, target_key=f"chat:{ack['id']}", kind=ReviewItem.Kind.REPORT
    )
    assert item.urgency == ReviewItem.Urgency.URGENT


# --- typing and presence ---------------------------------------------------------------------


@database_sync_to_async
def share_presence(user, value: bool = True) -> None:
    User.objects.filter(pk=user.pk).update(share_presence=value)
    user.share_presence = value


async def test_typing_and_presence_are_not_shared_unless_the_member_opted_in(sockets):
    place = await community()
    watcher = await sockets.open(place.other, place.group)
    quiet = await sockets.open(place.member, place.group)

    await quiet.send(type="typing")

    assert await watcher.hears_nothing(), "no presence on connect, no typing"
    assert await quiet.hears_nothing()
    await quiet.communicator.disconnect()
    assert await watcher.hears_nothing(), "no presence on leaving either"


async def test_typing_is_relayed_for_members_who_opted_in_throttled_and_never_stored(sockets):
    place = await community()
    await share_presence(place.member)
    watcher = await sockets.open(place.other, place.group)
    sharer = await sockets.open(place.member, place.group)
    arrived = await watcher.expect("presence")
    assert (arrived["author"], arrived["here"]) == (place.member.public_name, True)
    await sharer.expect("presence")  # its own arrival

    await sharer.send(type="typing")
    typing = await watcher.expect("typing")
    assert typing == {"type": "typing", "author": place.member.public_name}
    assert await sharer.hears_nothing(), "nobody is told they are typing themselves"

    for _ in range(5):
        await sharer.send(type="typing")
    assert await watcher.hears_nothing(), "typing is throttled"
    assert await rows() == []
    assert await run_sync(ModerationLogEntry.objects.count) == 0

    await sharer.communicator.disconnect()
    left = await watcher.expect("presence")
    assert (left["author"], left["here"]) == (place.member.public_name, False)


async def test_turning_presence_off_stops_typing_being_shared_at_once(sockets):
    place = await community()
    await share_presence(place.member)
    watcher = await sockets.open(place.other, place.group)
    sharer = await sockets.open(place.member, place.group)
    await watcher.expect("presence")
    await sharer.expect("presence")

    await run_sync(
        _update_profile, place.member, share_presence=False
    )  # the member changes their mind in another tab
    await sharer.send(type="typing")

    assert await watcher.hears_nothing()


def _update_profile(user, **changes):
    from accounts.services import user_update_profile

    user = User.objects.get(pk=user.pk)
    fields = {
        "display_name": user.display_name, "about": user.about, "time_zone": user.time_zone,
        "country": user.country, "share_presence": user.share_presence,
    }  # fmt: skip
    fields.update(changes)
    return user_update_profile(acting_user=user, user=user, **fields)


async def test_leaving_the_room_marks_everything_in_it_seen_for_the_members_home(sockets):
    from chat.models import ChatSeen

    place = await community()
    room = await members_room(place.group)
    reader = await sockets.open(place.member, place.group)
    speaker = await sockets.open(place.other, place.group)
    await speaker.say("Anyone here tonight?")
    await speaker.say("I could use some company.")
    await reader.expect("message")
    await reader.expect("message")

    await reader.communicator.disconnect(timeout=ARRIVES)

    seen = await run_sync(lambda: ChatSeen.objects.get(user=place.member, room=room))
    assert seen.last_seen_seq == 2
