"""Chat while Postgres or Redis fails: a real daphne on a PostgreSQL cluster and a
redis-server of the test's own (tests/faults.py), driven over real websockets.

What must hold: a send during a fault gets an "unavailable" error frame naming its
client id (so the browser keeps the message and retries), the socket stays open, a
join gets the same frame and "try again later" (4503), never 1011; a frozen Redis
holds no send up for more than about a second; after the fault the same retry is
saved once. While Redis is away sends are refused for now, because it keeps the send
limit's counts (groups/limits.py); reading still works."""

import asyncio
import json
import uuid

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.faults import django_env, fresh_database, running_server

# django_db: the suite's test database is set up, and copied into our own cluster.
pytestmark = [pytest.mark.faults, pytest.mark.django_db]

FRAME_TIMEOUT = 6.0
TRY_AGAIN_LATER = 4503


@pytest.fixture
def chat_server(postgres, own_redis, tmp_path):
    """daphne on a fresh database of the own cluster and the own Redis; fast heartbeats
    so that re-joining after a Redis restart shows within the test."""
    database = postgres.url(fresh_database(postgres))
    env = django_env(database, own_redis.url, DB_CONN_MAX_AGE="60",
                     SOCKET_HEARTBEAT_SECONDS="1", CHANNEL_LAYER_TIMEOUT="1")  # fmt: skip
    with running_server(env, tmp_path / "daphne.log") as server:
        server.place = postgres.place
        server.path = f"/ws/groups/{postgres.place['slug']}/chat/"
        yield server


async def open_chat(server, cookie: str):
    ws = await dial(server, cookie)
    return ws, await frame(ws, "hello")


async def dial(server, cookie: str, path: str | None = None):
    return await connect(
        server.ws_url(path or server.path),
        origin=server.origin,
        proxy=None,
        additional_headers={"Cookie": cookie},
        open_timeout=FRAME_TIMEOUT,
    )


async def frame(ws, wanted: str, timeout: float = FRAME_TIMEOUT) -> dict:
    """The next frame of the wanted type, skipping presence, state and message frames
    (a sender gets its own messages back)."""
    async with asyncio.timeout(timeout):
        while True:
            received = json.loads(await ws.recv())
            if received["type"] == wanted:
                return received
            assert received["type"] in {"presence", "state", "message"}, received


async def send(ws, body: str, client_msg_id: str | None = None) -> str:
    client_msg_id = client_msg_id or str(uuid.uuid4())
    await ws.send(json.dumps({"type": "send", "client_msg_id": client_msg_id, "body": body}))
    return client_msg_id


async def alive(ws) -> bool:
    await ws.send(json.dumps({"type": "ping"}))
    return (await frame(ws, "pong"))["type"] == "pong"


def assert_unavailable(error: dict, client_msg_id: str | None = None) -> None:
    assert error["code"] == "unavailable", error
    assert error["retry_after"] > 0
    assert error["message"]
    if client_msg_id is not None:
        assert error["client_msg_id"] == client_msg_id
        assert error["message"] == "Not sent yet: we'll retry in a moment."


async def refused_for_now(server, cookie: str, path: str | None = None) -> dict:
    """A join during a fault: the socket is answered, then closed with 4503."""
    ws = await dial(server, cookie, path)
    try:
        error = await frame(ws, "error")
        with pytest.raises(ConnectionClosed):
            await frame(ws, "never")
        assert ws.close_code == TRY_AGAIN_LATER, ws.close_code
        return error
    finally:
        await ws.close()


def test_postgres_stopped_then_restarted(chat_server, postgres):
    async def scenario():
        ws, _hello = await open_chat(chat_server, chat_server.place["member"])
        first = await frame_after_send(ws, "Before the outage.")
        postgres.stop()

        pending = await send(ws, "During the outage.")
        assert_unavailable(await frame(ws, "error"), pending)
        await ws.send(json.dumps({"type": "sync", "after": 0}))
        assert_unavailable(await frame(ws, "error"))
        assert await alive(ws)
        assert_unavailable(await refused_for_now(chat_server, chat_server.place["other"]))
        # The moderation queue's socket too.
        leader = chat_server.place["leader"]
        assert_unavailable(await refused_for_now(chat_server, leader, "/ws/moderation/"))

        postgres.start()
        await send(ws, "During the outage.", pending)  # the browser's retry
        ack = await frame(ws, "ack")
        assert (ack["client_msg_id"], ack["seq"]) == (pending, first["seq"] + 1)
        other, hello = await open_chat(chat_server, chat_server.place["other"])
        assert hello["last_seq"] == ack["seq"]
        await ws.close()
        await other.close()

    asyncio.run(scenario())


async def frame_after_send(ws, body: str) -> dict:
    client_msg_id = await send(ws, body)
    ack = await frame(ws, "ack")
    assert ack["client_msg_id"] == client_msg_id
    return ack


def test_postgres_read_only(chat_server, postgres):
    async def scenario():
        ws, _hello = await open_chat(chat_server, chat_server.place["member"])
        first = await frame_after_send(ws, "Before read-only.")
        postgres.set_read_only(True)

        pending = await send(ws, "While read-only.")
        assert_unavailable(await frame(ws, "error"), pending)
        # Reads still work.
        await ws.send(json.dumps({"type": "sync", "after": 0}))
        backfill = await frame(ws, "backfill")
        assert [m["seq"] for m in backfill["messages"]] == [first["seq"]]

        postgres.set_read_only(False)
        await send(ws, "While read-only.", pending)
        assert (await frame(ws, "ack"))["seq"] == first["seq"] + 1
        await ws.close()

    asyncio.run(scenario())


def test_redis_stopped_then_restarted(chat_server, own_redis):
    """Redis keeps the send limit's counts: while it is away a send is refused for now
    (the browser keeps it and retries), every socket stays open, and a socket opened
    meanwhile still greets. Once Redis is back the retry is saved, once, and heard."""

    async def scenario():
        speaker, _ = await open_chat(chat_server, chat_server.place["member"])
        listener, _ = await open_chat(chat_server, chat_server.place["other"])
        before = await frame_after_send(speaker, "Before Redis went away.")
        own_redis.stop()

        pending = await send(speaker, "While Redis is away.")
        assert_unavailable(await frame(speaker, "error"), pending)
        assert await alive(speaker)
        assert await alive(listener)
        # Reading is never blocked: a socket opened now greets, and catches up.
        newcomer, hello = await open_chat(chat_server, chat_server.place["leader"])
        assert hello["last_seq"] == before["seq"]
        await newcomer.send(json.dumps({"type": "sync", "after": 0}))
        assert [m["seq"] for m in (await frame(newcomer, "backfill"))["messages"]] == [
            before["seq"]
        ]

        own_redis.start()  # empty: the groups it held are gone
        joiner, _ = await open_chat(chat_server, chat_server.place["extra"][0])
        await asyncio.sleep(2.5)  # two heartbeats: the old sockets join again
        await send(speaker, "While Redis is away.", pending)  # the browser's retry
        said = await frame(speaker, "ack")
        assert (said["client_msg_id"], said["seq"]) == (pending, before["seq"] + 1)
        for ws in (newcomer, listener, joiner):
            assert (await frame(ws, "message"))["message"]["id"] == said["id"]
        for ws in (speaker, listener, newcomer, joiner):
            await ws.close()

    asyncio.run(scenario())


def test_a_frozen_redis_answers_sends_at_once_and_they_go_once_it_thaws(chat_server, own_redis):
    """A Redis that stops answering holds no send up for long: each is refused for now
    within about a second (the limit's own timeout), the socket stays responsive, and
    the retries are saved in order once Redis answers again."""

    async def scenario():
        speaker, _ = await open_chat(chat_server, chat_server.place["member"])
        listener, _ = await open_chat(chat_server, chat_server.place["other"])
        first = await frame_after_send(speaker, "Before the freeze.")
        loop = asyncio.get_running_loop()
        with own_redis.frozen():
            pending = []
            for body in ("Redis froze.", "Still here."):
                started = loop.time()
                pending.append((await send(speaker, body), body))
                assert_unavailable(await frame(speaker, "error"), pending[-1][0])
                assert loop.time() - started < 2.0, "a send waited for the frozen Redis"
            assert await alive(speaker)
        for number, (client_msg_id, body) in enumerate(pending, start=1):
            await send(speaker, body, client_msg_id)
            assert (await frame(speaker, "ack"))["seq"] == first["seq"] + number
        heard = []
        while first["seq"] + len(pending) not in heard:
            heard.append((await frame(listener, "message", timeout=10))["message"]["seq"])
        assert heard[-2:] == [first["seq"] + 1, first["seq"] + 2]
        for ws in (speaker, listener):
            await ws.close()

    asyncio.run(scenario())
