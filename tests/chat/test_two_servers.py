"""Two daphne processes behind one Redis: a member on one server and a member on the
other are in the same room. This is how production runs more than one ASGI process,
and it is the only test here that crosses a process boundary with the channel layer.

The servers run the exact production command on the test database (by name) with the
test settings, and share a Redis key prefix that is unique to the test
(docs: ../shared/research/stack-spike.md, pitfalls 7, 9 and 14)."""

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from chat.models import ChatMessage
from groups import limits
from groups.services import sanctions as sanction_services
from tests.factories import Community, membership_of, signed_in
from tests.faults import Server
from tests.servers import daphne_command, free_port, server_is_ready, stop

BASE_DIR = Path(__file__).resolve().parents[2]
# The Redis database the suite was given (REDIS_URL), not the default one that a
# developer's own server uses; the key prefix is the test's own within it.
REDIS_URL = settings.REDIS_URL
# Two servers starting at once on a busy 2-core machine take about 20 s.
START_TIMEOUT = 40.0
FRAME_TIMEOUT = 5.0


def _start(env: dict, log_path: Path) -> Server:
    port = free_port()
    command = daphne_command(port)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return Server(port=port, process=process, log_path=log_path)


def _delete_keys(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@dataclass(frozen=True)
class Cluster:
    servers: list[Server]
    prefix: str


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Two daphne processes on the test database and one Redis prefix. Torn down
    before transactional_db flushes the database."""
    prefix = f"peersupport-test-{uuid.uuid4().hex}"
    env = dict(os.environ)
    env.pop("SMTP_HOST", None)
    env.update({
        "DJANGO_SETTINGS_MODULE": "peersupport.settings.test",
        # By now this is the test database's real name (test_..., per xdist worker).
        "TEST_DATABASE_NAME": settings.DATABASES["default"]["NAME"],
        "REDIS_URL": REDIS_URL,
        "CHANNELS_PREFIX": prefix,
        "EMAIL_DIR": str(tmp_path / "email"),
        "PYTHONUNBUFFERED": "1",
    })  # fmt: skip
    servers: list[Server] = []
    try:
        for number in (1, 2):
            servers.append(_start(env, tmp_path / f"server{number}.log"))
        deadline = time.monotonic() + START_TIMEOUT
        for server in servers:
            while not server_is_ready(server.port):
                if server.process.poll() is not None:
                    pytest.fail(f"daphne on {server.port} exited:\n{server.log_tail()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"daphne on {server.port} never served /help/:\n"
                                f"{server.log_tail()}")  # fmt: skip
                time.sleep(0.1)
        yield Cluster(servers=servers, prefix=prefix)
    finally:
        for server in servers:
            stop(server.process)
        _delete_keys(prefix)


@contextlib.contextmanager
def logs_on_failure(cluster: Cluster):
    """If the block fails, say what the servers logged."""
    try:
        yield
    except BaseException:
        for server in cluster.servers:
            sys.stderr.write(f"\n--- daphne :{server.port} ---\n{server.log_tail()}\n")
        raise


def session_cookie_for(user) -> str:
    """A real session row for the user, made before any socket opens."""
    client = signed_in(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


async def next_frame(ws, wanted: str) -> dict:
    """The next frame of the wanted type, skipping presence and state frames."""
    async with asyncio.timeout(FRAME_TIMEOUT):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == wanted:
                return frame
            assert frame["type"] in {"presence", "state"}, frame


async def open_chat(server: Server, path: str, cookie: str):
    ws = await connect(
        server.ws_url(path), origin=server.origin, additional_headers={"Cookie": cookie},
        proxy=None, open_timeout=FRAME_TIMEOUT,
    )  # fmt: skip
    hello = await next_frame(ws, "hello")
    return ws, hello


async def _conversation(first: Server, second: Server, path: str, cookie_a: str,
                        cookie_b: str) -> dict:  # fmt: skip
    a, hello_a = await open_chat(first, path, cookie_a)
    b, hello_b = await open_chat(second, path, cookie_b)
    try:
        assert hello_a["room"] == hello_b["room"]
        assert hello_a["can_send"] and hello_b["can_send"]
        client_msg_id = str(uuid.uuid4())
        await a.send(json.dumps({"type": "send", "client_msg_id": client_msg_id,
                                 "body": "Hello from server one."}))  # fmt: skip
        ack = await next_frame(a, "ack")
        across = await next_frame(b, "message")

        await b.send(json.dumps({"type": "sync", "after": hello_b["last_seq"]}))
        backfill = await next_frame(b, "backfill")

        await b.send(json.dumps({"type": "send", "client_msg_id": str(uuid.uuid4()),
                                 "body": "And back from server two."}))  # fmt: skip
        reply_ack = await next_frame(b, "ack")
        await next_frame(a, "message")  # a's own echo of its first message
        back = await next_frame(a, "message")
        return {"ack": ack, "across": across, "backfill": backfill, "reply_ack": reply_ack,
                "back": back, "client_msg_id": client_msg_id}  # fmt: skip
    finally:
        await a.close()
        await b.close()


def test_a_message_sent_through_one_server_reaches_a_member_on_the_other(two_servers):
    place = Community()
    cookie_a = session_cookie_for(place.member)
    cookie_b = session_cookie_for(place.other)
    first, second = two_servers.servers
    path = f"/ws/groups/{place.group.slug}/chat/"

    with logs_on_failure(two_servers):
        result = asyncio.run(_conversation(first, second, path, cookie_a, cookie_b))

    ack, across = result["ack"], result["across"]["message"]
    assert ack["client_msg_id"] == result["client_msg_id"]
    assert (across["id"], across["seq"], across["body"]) == (
        ack["id"], ack["seq"], "Hello from server one.",
    )  # fmt: skip
    assert across["author"] == place.member.public_name
    # Server two's backfill reads the same record: the message, once.
    assert [m["id"] for m in result["backfill"]["messages"]] == [ack["id"]]
    back = result["back"]["message"]
    assert (back["id"], back["seq"]) == (result["reply_ack"]["id"], ack["seq"] + 1)
    assert list(ChatMessage.objects.order_by("seq").values_list("body", flat=True)) == [
        "Hello from server one.",
        "And back from server two.",
    ]


async def _until_closed(server: Server, path: str, cookie: str, greeted) -> tuple:
    """Open a chat socket, say when it is greeted, then wait for the server to close it."""
    ws, _hello = await open_chat(server, path, cookie)
    greeted.set()
    frames = []
    try:
        async with asyncio.timeout(FRAME_TIMEOUT * 2):
            async for text in ws:
                frames.append(json.loads(text)["type"])
    except ConnectionClosed:
        pass
    finally:
        await ws.close()
    return ws.close_code, frames


def test_a_ban_committed_in_another_process_closes_the_members_socket(two_servers):
    """Pages may be served by another process (gunicorn in production): the ban is
    committed here and rings the member's socket in daphne through Redis."""
    place = Community()
    cookie = session_cookie_for(place.member)
    path = f"/ws/groups/{place.group.slug}/chat/"
    greeted = threading.Event()
    outcome = {}

    def listen():
        try:
            outcome["result"] = asyncio.run(
                _until_closed(two_servers.servers[1], path, cookie, greeted)
            )
        except BaseException as error:  # handed to the test thread below
            outcome["error"] = error
            greeted.set()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    with logs_on_failure(two_servers):
        assert greeted.wait(timeout=FRAME_TIMEOUT * 2)
        if "error" in outcome:
            raise outcome["error"]
        layer = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
            "prefix": two_servers.prefix,
        }}}  # fmt: skip
        with override_settings(CHANNEL_LAYERS=layer):
            sanction_services.sanction_ban(
                acting_user=place.leader,
                membership=membership_of(place.group, place.member),
                reason="Harassment.",
            )
        listener.join(timeout=FRAME_TIMEOUT * 3)
        assert not listener.is_alive()
        if "error" in outcome:
            raise outcome["error"]

        close_code, frames = outcome["result"]
        assert close_code == 4403
        assert "closed" in frames


async def _answer(ws, client_msg_id: str) -> dict:
    """The ack or error for one send, skipping what the room says meanwhile."""
    async with asyncio.timeout(FRAME_TIMEOUT):
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("client_msg_id") == client_msg_id and frame["type"] in {"ack", "error"}:
                return frame
            assert frame["type"] in {"presence", "state", "message"}, frame


async def _spread_sends(servers: list[Server], path: str, cookie: str, count: int):
    """One member with a socket on each server sends `count` messages, turn about."""
    sockets = [(await open_chat(server, path, cookie))[0] for server in servers]
    answers: list[tuple[int, dict]] = []
    try:
        started = time.monotonic()
        for number in range(count):
            which = number % len(sockets)
            client_msg_id = str(uuid.uuid4())
            await sockets[which].send(json.dumps({"type": "send", "client_msg_id": client_msg_id,
                                                  "body": f"Message {number}."}))  # fmt: skip
            answers.append((which, await _answer(sockets[which], client_msg_id)))
        return answers, time.monotonic() - started
    finally:
        for ws in sockets:
            await ws.close()


def test_one_member_cannot_send_past_the_limit_by_spreading_sends_over_both_servers(two_servers):
    """Each server alone would allow the burst; the count is one, in Redis, so two
    bursts' worth of sends through two servers still get one burst (and what refilled
    while they were sent), and both servers refuse the rest."""
    place = Community()
    cookie = session_cookie_for(place.member)
    path = f"/ws/groups/{place.group.slug}/chat/"
    limit = limits.CHAT_SEND

    with logs_on_failure(two_servers):
        answers, seconds = asyncio.run(
            _spread_sends(two_servers.servers, path, cookie, 2 * limit.burst)
        )

    acked = [frame for _which, frame in answers if frame["type"] == "ack"]
    refused = {which for which, frame in answers if frame["type"] == "error"}
    refilled = int(seconds / limit.every) + 1
    assert limit.burst <= len(acked) <= limit.burst + refilled, (len(acked), seconds)
    assert len(acked) < 2 * limit.burst
    assert refused == {0, 1}, "both servers refuse once the member's one count is spent"
    assert {frame["code"] for _which, frame in answers if frame["type"] == "error"} == {
        "rate_limited"
    }
    assert ChatMessage.objects.filter(author=place.member).count() == len(acked)
