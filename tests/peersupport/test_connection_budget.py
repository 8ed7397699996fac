"""A server process stays within its database connection budget under load: a real
daphne, keeping connections as `make run` does (DB_CONN_MAX_AGE=60), on a PostgreSQL of
the test's own with few connections to spare, while a couple of hundred sockets chat
and a hundred people load pages at once. pg_stat_activity, sampled throughout for the
server's application_name, must never pass SOCKET_DATABASE_THREADS +
ASGI_HTTP_CONCURRENCY + 1 (see the database section of the settings), and nobody
gets a 500 or "too many clients"."""

import asyncio
import http.client
import json
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from websockets.asyncio.client import connect

from tests.faults import django_env, fresh_database, running_server

# django_db: the suite's test database is set up, and copied into our own cluster.
pytestmark = [pytest.mark.faults, pytest.mark.django_db]

SOCKET_THREADS = 4
HTTP_CONCURRENCY = 4
BUDGET = SOCKET_THREADS + HTTP_CONCURRENCY + 1
SOCKETS_PER_MEMBER = 10  # under the cap of 20
SENDS_PER_MEMBER = 4  # under the chat's rate limit (a burst of 5)
PAGE_LOADS = 120
PAGE_LOADERS = 40
HANDSHAKES_AT_ONCE = 10
TIMEOUT = 30.0


class Sampler:
    """Counts the server's connections every few milliseconds, in a thread."""

    def __init__(self, cluster, database: str, application_name: str):
        self.connection = cluster.connect(database)
        self.application_name = application_name
        self.peak = 0
        self.samples = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        with self.connection.cursor() as cursor:
            while not self.stopping.is_set():
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                               [self.application_name])  # fmt: skip
                self.peak = max(self.peak, cursor.fetchone()[0])
                self.samples += 1
                time.sleep(0.005)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.connection.close()


def load_page(port: int, cookie: str, path: str) -> int | str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError as error:
        return repr(error)
    finally:
        connection.close()


async def chat(server, place, cookie: str, sends: bool, handshakes) -> int:
    """Open a socket, send a message if told to, catch up; return the acks received."""
    url = server.ws_url(f"/ws/groups/{place['slug']}/chat/")
    async with handshakes:  # as browsers arrive: not all in the same millisecond
        ws = await connect(
            url,
            origin=server.origin,
            additional_headers={"Cookie": cookie},
            proxy=None,
            open_timeout=TIMEOUT,
            compression=None,
        )
    try:
        async with asyncio.timeout(TIMEOUT):
            while json.loads(await ws.recv())["type"] != "hello":
                pass
            if sends:
                await ws.send(json.dumps({"type": "send", "client_msg_id": str(uuid.uuid4()),
                                          "body": "Checking in."}))  # fmt: skip
            await ws.send(json.dumps({"type": "sync", "after": 0}))
            acks = 0
            seen = set()
            wanted = {"ack", "backfill"} if sends else {"backfill"}
            while not wanted <= seen and "reload" not in seen:
                frame = json.loads(await ws.recv())
                assert frame["type"] != "error", frame
                seen.add(frame["type"])
                acks += frame["type"] == "ack"
            return acks
    finally:
        await ws.close()


def test_a_server_stays_within_its_connection_budget_under_load(postgres, own_redis, tmp_path):
    database = fresh_database(postgres)
    application_name = f"budget-{uuid.uuid4().hex[:8]}"
    env = django_env(postgres.url(database), own_redis.url, DB_CONN_MAX_AGE="60",
                     DB_APPLICATION_NAME=application_name,
                     SOCKET_DATABASE_THREADS=str(SOCKET_THREADS),
                     ASGI_HTTP_CONCURRENCY=str(HTTP_CONCURRENCY))  # fmt: skip
    place = postgres.place
    members = [place["member"], place["other"], *place["extra"]]
    with running_server(env, tmp_path / "daphne.log") as server:
        pages = ThreadPoolExecutor(max_workers=PAGE_LOADERS)

        async def load():
            loop = asyncio.get_running_loop()
            page_loads = [
                loop.run_in_executor(pages, load_page, server.port, members[n % len(members)],
                                     "/groups/" if n % 2 else f"/groups/{place['slug']}/chat/")
                for n in range(PAGE_LOADS)
            ]  # fmt: skip
            handshakes = asyncio.Semaphore(HANDSHAKES_AT_ONCE)
            chats = [chat(server, place, cookie, n < SENDS_PER_MEMBER, handshakes)
                     for cookie in members for n in range(SOCKETS_PER_MEMBER)]  # fmt: skip
            return await asyncio.gather(asyncio.gather(*page_loads), asyncio.gather(*chats))

        started = time.monotonic()
        with Sampler(postgres, database, application_name) as sampler:
            statuses, acks = asyncio.run(load())
        elapsed = time.monotonic() - started
        pages.shutdown()
        log = server.log_path.read_text(errors="replace")

    sys.stderr.write(
        f"{len(acks)} sockets, {len(statuses)} pages in {elapsed:.1f} s; peak "
        f"{sampler.peak} connections of {BUDGET} over {sampler.samples} samples\n"
    )
    assert sampler.samples > 20
    assert "too many clients" not in log
    assert set(statuses) == {200}, statuses
    assert sum(acks) == len(members) * SENDS_PER_MEMBER
    assert 0 < sampler.peak <= BUDGET, f"{sampler.peak} connections, budget {BUDGET}"
