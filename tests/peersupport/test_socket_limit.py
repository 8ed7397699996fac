"""One member holds at most SOCKETS_PER_MEMBER sockets, counted across server
processes in Redis: two real daphne processes on a Redis and a PostgreSQL of the test's
own (tests/faults.py). The count never leaks: a server killed outright frees its
sockets' places when they expire. With Redis down the member is let in."""

import asyncio
import json
import signal
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.faults import django_env, fresh_database, running_server

# django_db: the suite's test database is set up, and copied into our own cluster.
pytestmark = [pytest.mark.faults, pytest.mark.django_db]

CAP = 3
CLAIM_SECONDS = 3
TOO_MANY_SOCKETS = 4429
FRAME_TIMEOUT = 6.0


@pytest.fixture
def two_servers(postgres, own_redis, tmp_path):
    database = postgres.url(fresh_database(postgres))
    env = django_env(database, own_redis.url, SOCKETS_PER_MEMBER=str(CAP),
                     SOCKET_CLAIM_SECONDS=str(CLAIM_SECONDS), SOCKET_HEARTBEAT_SECONDS="1",
                     CHANNEL_LAYER_TIMEOUT="1")  # fmt: skip
    with (
        running_server(env, tmp_path / "first.log") as first,
        running_server(env, tmp_path / "second.log") as second,
    ):
        yield first, second


def path(place) -> str:
    return f"/ws/groups/{place['slug']}/chat/"


async def attempt(server, place, cookie: str) -> tuple[object, dict]:
    """Open a chat socket; return it with its first frame."""
    ws = await connect(server.ws_url(path(place)), origin=server.origin, proxy=None,
                       additional_headers={"Cookie": cookie},
                       open_timeout=FRAME_TIMEOUT)  # fmt: skip
    async with asyncio.timeout(FRAME_TIMEOUT):
        return ws, json.loads(await ws.recv())


async def refused(ws) -> int:
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(FRAME_TIMEOUT):
            while True:
                await ws.recv()
    return ws.close_code


def test_a_member_over_the_cap_is_refused_on_any_server_and_places_come_back(
    two_servers, postgres, own_redis
):
    first, second = two_servers
    place = postgres.place

    async def scenario():
        member, other = place["member"], place["other"]
        held = []
        for server in (first, first, second):
            ws, hello = await attempt(server, place, member)
            assert hello["type"] == "hello", hello
            held.append(ws)

        ws, closed = await attempt(second, place, member)
        assert closed["type"] == "closed" and closed["reason"], closed
        assert await refused(ws) == TOO_MANY_SOCKETS
        # Someone else is not affected.
        ws, hello = await attempt(second, place, other)
        assert hello["type"] == "hello"
        await ws.close()

        # A socket closed normally gives its place back (as soon as its server hears).
        await held.pop(0).close()
        async with asyncio.timeout(FRAME_TIMEOUT):
            while True:
                ws, hello = await attempt(second, place, member)
                if hello["type"] == "hello":
                    break
                await ws.close()
                await asyncio.sleep(0.1)
        held.append(ws)

        # The first server dies with a socket open (no close runs): its place expires.
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=5)
        ws, closed = await attempt(second, place, member)
        assert await refused(ws) == TOO_MANY_SOCKETS
        await asyncio.sleep(CLAIM_SECONDS + 0.5)
        ws, hello = await attempt(second, place, member)
        assert hello["type"] == "hello", hello
        held.append(ws)

        # Redis down: the member is let in uncounted, and can still chat.
        own_redis.stop()
        started = time.monotonic()
        ws, hello = await attempt(second, place, member)
        assert hello["type"] == "hello", hello
        assert time.monotonic() - started < FRAME_TIMEOUT
        held.append(ws)
        for ws in held:
            await ws.close()

    asyncio.run(scenario())
    assert "socket count unavailable" in second.log_path.read_text(errors="replace")
