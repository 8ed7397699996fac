"""Load test for live group chat: the real ChatConsumer against a bare Channels baseline.

    .venv/bin/python bench/chat_load.py --help

Everything runs on 127.0.0.1 and stops by itself: each phase is bounded in messages
and seconds, the whole run by --budget-minutes (a watchdog kills the servers and
exits shortly after), the servers are subprocesses killed on exit, and the bench
database is dropped at the end. See bench/README.md for what each number means.
"""

import argparse
import asyncio
import atexit
import contextlib
import datetime
import json
import math
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
HOST = "127.0.0.1"
PG = {"host": HOST, "port": 5432, "user": "postgres"}
# Its own database, dropped and recreated each run (not bench/pages.py's seeded one);
# CHAT_BENCH_DATABASE names another, so two engineers' runs never meet.
DB_NAME = os.environ.get("CHAT_BENCH_DATABASE", "peersupport_bench_chat")
DATABASE_URL = f"postgres://postgres@{HOST}:5432/{DB_NAME}"
APP_SETTINGS = "peersupport.settings.test"
GROUP_SLUG = "bench-room"
# groups/limits.CHAT_SEND gives each member a burst of 10 sends, then 1 a second,
# counted in Redis across every server process. The bench stays under half of that
# (5, then 0.5 a second) so that it measures throughput, not the rate limiter, and
# reports refusals when it can't.
APP_BURST_ALLOWANCE = 5
APP_REFILL_PER_SECOND = 0.5
SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 5.0
SUSTAINED_P95_SECONDS = 1.0
MAX_SYNC_PAGES = 10

_servers: list[subprocess.Popen] = []


# --- command line ----------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--clients",
        type=int,
        nargs="+",
        default=[100, 500, 1000],
        help="room sizes for the paced runs: open this many websockets, all in one room",
    )
    parser.add_argument(
        "--senders",
        type=int,
        default=20,
        help="how many of the room's clients send in the paced runs",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=2.0,
        help="TOTAL messages per second into the room, shared round-robin by "
        "the senders (each sender sends rate/senders a second); every "
        "message is delivered to every client, so deliveries/s = rate x "
        "clients",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each paced run sends")
    parser.add_argument(
        "--server",
        nargs="+",
        choices=["daphne", "uvicorn"],
        default=["daphne"],
        help="ASGI server(s) to test; each runs the real app and the bare "
        "baseline (uvicorn is skipped, with a note, when not installed)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes (they share rooms through the Redis channel layer)",
    )
    parser.add_argument(
        "--burst",
        type=int,
        default=200,
        help="messages sent as fast as possible into one room (0 skips the burst test)",
    )
    parser.add_argument(
        "--burst-clients", type=int, default=100, help="room size for the burst test"
    )
    parser.add_argument(
        "--burst-senders",
        type=int,
        default=0,
        help="clients that share the burst; 0 means as few as the app's "
        f"per-member allowance ({APP_BURST_ALLOWANCE} at once) permits, "
        "i.e. ceil(burst/5); 1 sends it all from one client, which the "
        "real app rate-limits after 5",
    )
    parser.add_argument(
        "--saturation-rates",
        type=float,
        nargs="*",
        default=[10, 25, 50, 100],
        help="send rates (total msg/s) for the saturation steps; give the "
        "flag with no values to skip them",
    )
    parser.add_argument(
        "--saturation-clients",
        type=int,
        default=100,
        help="room size for the saturation steps (all of them send)",
    )
    parser.add_argument(
        "--saturation-seconds", type=float, default=8.0, help="how long each saturation step sends"
    )
    parser.add_argument(
        "--straggler-wait",
        type=float,
        default=10.0,
        help="after sending stops, wait up to this long for outstanding acks and deliveries",
    )
    parser.add_argument(
        "--connect-concurrency",
        type=int,
        default=25,
        help="websocket handshakes in flight at once while filling a room",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=15.0,
        help="before each measurement, wait up to this many seconds for the "
        "machine to drop below 25%% CPU busy (0: don't wait)",
    )
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=15.0,
        help="overall time budget; phases that no longer fit are skipped",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        help="Redis for the channel layer (both servers)",
    )
    parser.add_argument(
        "--keep-db", action="store_true", help=f"don't drop {DB_NAME} at the end (for debugging)"
    )
    args = parser.parse_args(argv)
    if args.senders < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--senders, --rate and --seconds must be positive")
    if min(args.clients) < 1 or args.senders > min(args.clients):
        parser.error("every --clients value must be at least --senders")
    return args


# --- processes, time budget, cleanup ----------------------------------------------------


class Budget:
    def __init__(self, minutes: float):
        self.started = time.monotonic()
        self.deadline = self.started + minutes * 60

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def allows(self, seconds: float) -> bool:
        return self.remaining() >= seconds


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=SERVER_STOP_TIMEOUT)
    if process in _servers:
        _servers.remove(process)


def stop_all_servers() -> None:
    for process in list(_servers):
        with contextlib.suppress(Exception):
            stop_process(process)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies for the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def busy_percent(before: tuple[int, int], after: tuple[int, int]) -> float:
    total = after[1] - before[1]
    return round(100 * (after[0] - before[0]) / total, 1) if total else 0.0


async def wait_until_quiet(max_seconds: float) -> float:
    """Wait (at most max_seconds) for a one-second sample under 25 % busy; return the
    last sample."""
    busy = 0.0
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        before = machine_cpu()
        await asyncio.sleep(1.0)
        busy = busy_percent(before, machine_cpu())
        if busy < 25:
            break
    return busy


class Server:
    """One ASGI server subprocess: the real app or the bare baseline, under daphne or
    uvicorn, with its own channel-layer prefix and log file."""

    def __init__(self, kind: str, app: str, run, label: str):
        self.kind, self.app, self.run = kind, app, run
        self.port = free_port()
        self.prefix = f"{run.prefix}-{label}"
        self.log_path = run.log_dir / f"{label}.log"
        self.process: subprocess.Popen | None = None

    @property
    def target(self) -> str:
        return (
            "peersupport.asgi:application" if self.app == "app" else "bench.bare_asgi:application"
        )

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        if self.app == "app":
            return f"ws://{HOST}:{self.port}/ws/groups/{GROUP_SLUG}/chat/"
        return f"ws://{HOST}:{self.port}/ws/bare/{GROUP_SLUG}/"

    def command(self) -> list[str]:
        if self.kind == "daphne":
            # -v 0: no access log line per connection (same for both apps).
            return [
                sys.executable,
                "-m",
                "daphne",
                "-v",
                "0",
                "-b",
                HOST,
                "-p",
                str(self.port),
                self.target,
            ]
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--ws",
            "websockets",
            "--workers",
            str(self.run.args.workers),
            "--lifespan",
            "off",
            "--no-access-log",
            "--log-level",
            "warning",
            self.target,
        ]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.run.app_env if self.app == "app" else {})
        if self.app == "bare":
            env.pop("DJANGO_SETTINGS_MODULE", None)
        env["REDIS_URL"] = self.run.args.redis_url
        env["CHANNELS_PREFIX"] = self.prefix
        env["PYTHONUNBUFFERED"] = "1"
        # Keep database connections, as production does (the test settings' default
        # of opening one per call would measure connection set-up, not the app).
        env.setdefault("DB_CONN_MAX_AGE", "60")
        return env

    async def start(self) -> None:
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own fixed command line
                self.command(),
                cwd=BASE_DIR,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            log.close()
        _servers.append(self.process)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} ({self.app}) exited:\n{self.log_tail()}")
            if port_answers(self.port):
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.kind} ({self.app}) did not start:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def log_count(self, needle: str) -> int:
        try:
            return self.log_path.read_text(errors="replace").count(needle)
        except OSError:
            return 0


# --- database: create, fill, drop ------------------------------------------------------


def admin_connection():
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", connect_timeout=10, **PG)
    connection.autocommit = True
    return connection


def drop_database() -> None:
    from psycopg2 import sql

    connection = admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME))
            )
    finally:
        connection.close()


def create_database(app_env: dict[str, str]) -> None:
    from psycopg2 import sql

    drop_database()
    connection = admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
    finally:
        connection.close()
    env = {**os.environ, **app_env}
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
        subprocess.run(  # noqa: S603 - our own fixed command line
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            check=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )


def fill_database(members: int) -> list[str]:
    """One public, open group with `members` active members and its chat room, and one
    logged-in session per member. Returns the session keys, in member order."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connections
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.display_names import name_key
    from accounts.models import User
    from chat.services import room_for
    from groups.models import Group, Membership
    from safety.rules import CURRENT_RULES_VERSION

    now = timezone.now()
    users = []
    for number in range(1, members + 1):
        name = f"Bench member {number}"
        user = User(
            email=f"bench{number}@example.invalid",
            display_name=name,
            display_name_key=name_key(name),
            confirmed_adult_at=now,
            rules_version_accepted=CURRENT_RULES_VERSION,
            rules_accepted_at=now,
        )
        user.set_unusable_password()
        users.append(user)
    if len({user.display_name_key for user in users}) != members:
        raise RuntimeError("bench display names collide; change the naming scheme")
    User.objects.bulk_create(users, batch_size=500)
    group = Group.objects.create(
        name="Bench room",
        slug=GROUP_SLUG,
        short_description="Load test room.",
        visibility=Group.Visibility.PUBLIC,
        join_policy=Group.JoinPolicy.OPEN,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                group=group,
                role=Membership.Role.MEMBER,
                state=Membership.State.ACTIVE,
                joined_at=now,
                accepted_rules_version=group.rules_version,
                approved_post_count=10_000,
            )
            for user in users
        ],
        batch_size=500,
    )
    room_for(group)  # made now, not raced by the first connections
    store = SessionStore()
    keys, sessions = [], []
    for user in users:
        key = get_random_string(32, VALID_KEY_CHARS)
        data = store.encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        )
        keys.append(key)
        sessions.append(
            Session(
                session_key=key, session_data=data, expire_date=now + datetime.timedelta(days=1)
            )
        )
    Session.objects.bulk_create(sessions, batch_size=500)
    connections.close_all()
    return keys


def delete_redis_keys(redis_url: str, prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        deleted = 0
        for number, key in enumerate(client.scan_iter(match=f"{prefix}*", count=500)):
            if number >= 200_000:
                break
            deleted += client.delete(key)
        return deleted
    finally:
        client.close()


# --- the load client -------------------------------------------------------------------


class Recorder:
    """Everything one phase observes, keyed by the client_msg_id the sender chose."""

    def __init__(self):
        self.send_times: dict[str, float] = {}
        self.acked: dict[str, int] = {}
        self.refused: Counter = Counter()
        self.refused_ids: set[str] = set()
        self.other_errors: Counter = Counter()
        self.ack_latencies: list[float] = []
        self.fanout_latencies: list[float] = []
        # Channels dispatches one event at a time per consumer, so a sender's socket
        # gets nothing while its own send is being saved; this keeps the others apart.
        self.fanout_non_senders: list[float] = []
        self.window_closed_at: float | None = None
        self.late_deliveries = 0
        self.deliveries = 0
        self.unique_deliveries = 0
        self.seen_seqs: set[int] = set()
        self.first_send: float | None = None
        self.last_delivery: float | None = None

    def sent(self, client_msg_id: str, at: float) -> None:
        self.send_times[client_msg_id] = at
        if self.first_send is None:
            self.first_send = at

    def on_ack(self, frame: dict, now: float) -> None:
        client_msg_id = frame.get("client_msg_id")
        sent_at = self.send_times.get(client_msg_id)
        if sent_at is None or client_msg_id in self.acked:
            return
        self.acked[client_msg_id] = frame["seq"]
        self.ack_latencies.append(now - sent_at)

    def on_message(self, client, message: dict, now: float) -> None:
        seq = message["seq"]
        times_seen = client.live.get(seq, 0)
        client.live[seq] = times_seen + 1
        self.deliveries += 1
        self.last_delivery = now
        if self.window_closed_at is not None and now > self.window_closed_at:
            self.late_deliveries += 1
        if times_seen:
            return
        self.unique_deliveries += 1
        self.seen_seqs.add(seq)
        sent_at = self.send_times.get(message.get("client_msg_id"))
        if sent_at is not None:
            self.fanout_latencies.append(now - sent_at)
            if not client.is_sender:
                self.fanout_non_senders.append(now - sent_at)

    def on_error(self, frame: dict) -> None:
        code = frame.get("code") or "?"
        client_msg_id = frame.get("client_msg_id")
        if client_msg_id in self.send_times and client_msg_id not in self.refused_ids:
            self.refused_ids.add(client_msg_id)
            self.refused[code] += 1
        else:
            self.other_errors[code] += 1

    def outstanding(self) -> int:
        return len(self.send_times) - len(self.acked) - len(self.refused_ids)


class Client:
    def __init__(self, number: int, ws, recorder: Recorder):
        self.number = number
        self.ws = ws
        self.recorder = recorder
        self.live: dict[int, int] = {}
        self.backfilled: set[int] = set()
        self.before_seq = 0
        self.hello: asyncio.Future = asyncio.get_running_loop().create_future()
        self.sync_reply: asyncio.Future | None = None
        self.closed = False
        self.reloaded = False
        self.is_sender = False
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        recorder = self.recorder
        try:
            async for raw in self.ws:
                now = time.monotonic()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "message":
                    recorder.on_message(self, frame["message"], now)
                elif kind == "ack":
                    recorder.on_ack(frame, now)
                elif kind == "hello":
                    self.before_seq = int(frame.get("last_seq") or 0)
                    if not self.hello.done():
                        self.hello.set_result(frame)
                elif kind in ("backfill", "reload"):
                    if self.sync_reply is not None and not self.sync_reply.done():
                        self.sync_reply.set_result(frame)
                elif kind == "error":
                    recorder.on_error(frame)
        except Exception:  # noqa: S110 - a dropped socket is counted below, not raised
            pass
        finally:
            self.closed = True
            if not self.hello.done():
                self.hello.set_exception(ConnectionError("closed before hello"))
            if self.sync_reply is not None and not self.sync_reply.done():
                self.sync_reply.set_result({"type": "closed"})

    async def send_message(self, body: str) -> None:
        client_msg_id = str(uuid.uuid4())
        self.recorder.sent(client_msg_id, time.monotonic())
        try:
            await self.ws.send(
                json.dumps({"type": "send", "client_msg_id": client_msg_id, "body": body})
            )
        except Exception:
            self.recorder.on_error({"code": "send_failed", "client_msg_id": client_msg_id})

    async def sync(self, after: int, timeout: float) -> dict:
        self.sync_reply = asyncio.get_running_loop().create_future()
        if self.closed:
            return {"type": "closed"}
        try:
            await self.ws.send(json.dumps({"type": "sync", "after": after}))
            return await asyncio.wait_for(self.sync_reply, timeout)
        except Exception:
            return {"type": "unanswered"}

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 3)
        self.reader.cancel()
        with contextlib.suppress(BaseException):
            await self.reader


async def open_room(
    server: Server, sessions: list[str], count: int, concurrency: int, recorder: Recorder
) -> tuple[list[Client], dict]:
    from websockets.asyncio.client import connect

    semaphore = asyncio.Semaphore(concurrency)
    handshakes: list[float] = []
    failures: Counter = Counter()

    async def one(number: int) -> Client | None:
        async with semaphore:
            started = time.monotonic()
            try:
                ws = await connect(
                    server.url,
                    origin=server.origin,
                    proxy=None,
                    compression=None,
                    additional_headers={"Cookie": f"sessionid={sessions[number]}"},
                    open_timeout=30,
                    ping_interval=None,
                    close_timeout=2,
                    max_size=4 * 1024 * 1024,
                )
            except Exception as error:
                failures[type(error).__name__ + ": " + str(error)[:80]] += 1
                return None
            client = Client(number, ws, recorder)
            try:
                await asyncio.wait_for(client.hello, 30)
            except Exception as error:
                failures["no hello: " + str(error)[:80]] += 1
                await client.close()
                return None
            handshakes.append(time.monotonic() - started)
            return client

    started = time.monotonic()
    results = await asyncio.gather(*(one(number) for number in range(count)))
    clients = [client for client in results if client is not None]
    stats = {
        "connected": len(clients),
        "connect_seconds": round(time.monotonic() - started, 2),
        "handshake_ms": percentiles_ms(handshakes),
        "connect_failures": dict(failures),
    }
    return clients, stats


async def close_room(clients: list[Client]) -> None:
    if clients:
        await asyncio.wait([asyncio.create_task(c.close()) for c in clients], timeout=15)


def message_body(number: int) -> str:
    # Few digits on purpose: automod holds anything that looks like a phone number.
    return f"Checking in, message {number}. Thank you all for being here."


async def send_paced(senders: list[Client], rate: float, seconds: float) -> None:
    """Open-loop pacing: message k leaves at start + k/rate whatever the replies do."""
    total = max(1, round(rate * seconds))
    started = time.monotonic()
    for number in range(total):
        delay = started + number / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await senders[number % len(senders)].send_message(message_body(number))


async def send_burst(senders: list[Client], messages: int) -> None:
    """Every sender fires its share back to back, all senders at once."""

    async def fire(client: Client, numbers: range) -> None:
        for number in numbers:
            await client.send_message(message_body(number))

    shares = [range(index, messages, len(senders)) for index in range(len(senders))]
    await asyncio.gather(
        *(fire(client, share) for client, share in zip(senders, shares, strict=True))
    )


async def wait_for_stragglers(recorder: Recorder, clients: list[Client], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        open_clients = sum(1 for client in clients if not client.closed)
        expected = len(set(recorder.acked.values())) * open_clients
        if recorder.outstanding() <= 0 and recorder.unique_deliveries >= expected:
            return
        await asyncio.sleep(0.05)


async def backfill(clients: list[Client], recorder: Recorder, timeout: float) -> dict:
    """Every client asks for what it missed since it connected; when the app answers
    "reload" (more than one page), page on from the first missing seq."""
    expected_all = set(recorder.acked.values()) | recorder.seen_seqs
    stats = Counter()

    async def catch_up(client: Client) -> None:
        after = client.before_seq
        for _page in range(MAX_SYNC_PAGES):
            reply = await client.sync(after, timeout)
            stats[reply["type"]] += 1
            if reply["type"] == "backfill":
                client.backfilled.update(m["seq"] for m in reply.get("messages", []))
            elif reply["type"] != "reload":
                return
            missing = [
                s
                for s in expected_all
                if s > client.before_seq and s not in client.live and s not in client.backfilled
            ]
            if not missing:
                return
            if min(missing) - 1 <= after:
                # No progress over the socket: the app said reload (the page would fetch
                # history over HTTP), or the message is not in the database.
                client.reloaded = reply["type"] == "reload"
                return
            after = min(missing) - 1

    await asyncio.gather(*(catch_up(client) for client in clients))
    return dict(stats)


def losses(clients: list[Client], recorder: Recorder) -> dict:
    expected_all = set(recorder.acked.values()) | recorder.seen_seqs
    lost_live = lost_after = duplicated = reloads = left_to_reload = 0
    for client in clients:
        expected = {seq for seq in expected_all if seq > client.before_seq}
        missing = expected.difference(client.live)
        lost_live += len(missing)
        still_missing = len(missing.difference(client.backfilled))
        if client.reloaded:
            # Every expected seq was acked or seen, so it is committed: a reload shows it.
            reloads += 1
            left_to_reload += still_missing
        else:
            lost_after += still_missing
        duplicated += sum(count - 1 for count in client.live.values() if count > 1)
    return {
        "lost_live": lost_live,
        "lost_after_backfill": lost_after,
        "duplicated": duplicated,
        "expected_messages": len(expected_all),
        "reloaded_clients": reloads,
        "missing_left_to_reload": left_to_reload,
    }


def percentiles_ms(values: list[float]) -> list[float] | None:
    if not values:
        return None
    ordered = sorted(values)
    return [
        round(1000 * ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)], 1)
        for q in (50, 95, 99)
    ]


# --- phases ----------------------------------------------------------------------------


class Run:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.prefix = f"bench-{self.stamp}-{secrets.token_hex(3)}"
        self.log_dir = BENCH_DIR / "logs" / self.stamp
        self.budget = Budget(args.budget_minutes)
        self.app_env = {
            "DJANGO_SETTINGS_MODULE": APP_SETTINGS,
            "TEST_DATABASE_NAME": DB_NAME,
            "DATABASE_URL": DATABASE_URL,
        }
        self.sessions: list[str] = []
        self.results: list[dict] = []
        self.notes: list[str] = []
        self.phase_number = 0

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"note: {text}", flush=True)

    async def phase(
        self,
        *,
        name: str,
        kind: str,
        app: str,
        clients: int,
        senders: int,
        rate: float | None,
        seconds: float,
        burst: int = 0,
    ) -> dict | None:
        """Start a fresh server, fill the room, send, wait, back-fill, measure, stop."""
        args = self.args
        estimate = (
            15
            + args.quiet_wait
            + clients * 0.06
            + seconds
            + args.straggler_wait
            + (10 + clients * 0.03 if app == "app" else 0)
        )
        label = f"{name} {kind}/{app} clients={clients}" + (f" rate={rate}" if rate else "")
        if not self.budget.allows(estimate):
            self.note(
                f"skipped {label}: it needs ~{estimate:.0f} s, "
                f"{max(0, self.budget.remaining()):.0f} s of budget left"
            )
            return None
        self.phase_number += 1
        server = Server(kind, app, self, f"{self.phase_number:02d}-{name}-{kind}-{app}")
        print(f"-- {label}", flush=True)
        try:
            return await asyncio.wait_for(
                self._phase(
                    server,
                    name=name,
                    clients=clients,
                    senders=senders,
                    rate=rate,
                    seconds=seconds,
                    burst=burst,
                ),
                timeout=max(10.0, self.budget.remaining()),
            )
        except Exception as error:
            self.note(f"{label} failed: {type(error).__name__}: {error}")
            return None
        finally:
            server.stop()

    async def _phase(self, server: Server, *, name, clients, senders, rate, seconds, burst):
        args = self.args
        await server.start()
        recorder = Recorder()
        room, connect_stats = await open_room(
            server, self.sessions, clients, args.connect_concurrency, recorder
        )
        try:
            if not room:
                raise RuntimeError(
                    f"no client connected: {connect_stats['connect_failures']}\n{server.log_tail()}"
                )
            busy_before = await wait_until_quiet(args.quiet_wait) if args.quiet_wait else None
            step = max(1, len(room) // senders)
            sending = room[::step][:senders]
            for client in sending:
                client.is_sender = True
            cpu_before, server_cpu_before = (
                resource.getrusage(resource.RUSAGE_SELF),
                server.cpu_seconds(),
            )
            machine_before, started = machine_cpu(), time.monotonic()
            if burst:
                await send_burst(sending, burst)
            else:
                await send_paced(sending, rate, seconds)
            sending_done = time.monotonic()
            await wait_for_stragglers(recorder, room, args.straggler_wait)
            finished = time.monotonic()
            cpu_after, server_cpu_after = (
                resource.getrusage(resource.RUSAGE_SELF),
                server.cpu_seconds(),
            )
            machine_after = machine_cpu()
            unacked = recorder.outstanding()
            recorder.window_closed_at = finished
            sync_stats = None
            if server.app == "app":
                sync_stats = await backfill(room, recorder, timeout=15 + len(room) * 0.05)
            wall = finished - started
            delivering = (recorder.last_delivery or started) - (recorder.first_send or started)
            if rate:
                # A paced run's last message leaves 1/rate before its nominal end.
                delivering = max(delivering, len(recorder.send_times) / rate)
            result = {
                "phase": name,
                "server": server.kind,
                "app": server.app,
                "clients": clients,
                **connect_stats,
                "senders": len(sending),
                "rate": rate,
                "seconds": seconds if not burst else round(sending_done - started, 2),
                "burst": burst or None,
                "sent": len(recorder.send_times),
                "acked": len(recorder.acked),
                "refused": dict(recorder.refused),
                "unacked": unacked,
                "other_errors": dict(recorder.other_errors),
                "ack_ms": percentiles_ms(recorder.ack_latencies),
                "fanout_ms": percentiles_ms(recorder.fanout_latencies),
                "fanout_non_senders_ms": percentiles_ms(recorder.fanout_non_senders),
                "late_deliveries": recorder.late_deliveries,
                "deliveries": recorder.deliveries,
                "deliveries_per_s": round(recorder.deliveries / delivering, 1)
                if delivering > 0
                else None,
                "offered_deliveries_per_s": round(rate * len(room), 1) if rate else None,
                "dropped_sockets": sum(1 for client in room if client.closed),
                **losses(room, recorder),
                "sync_replies": sync_stats,
                "over_capacity_log_lines": server.log_count("over capacity"),
                "server_cpu_percent": round(100 * (server_cpu_after - server_cpu_before) / wall, 1),
                "client_cpu_percent": round(
                    100
                    * (
                        cpu_after.ru_utime
                        + cpu_after.ru_stime
                        - cpu_before.ru_utime
                        - cpu_before.ru_stime
                    )
                    / wall,
                    1,
                ),
                "machine_busy_percent": busy_percent(machine_before, machine_after),
                "machine_busy_before_percent": busy_before,
            }
            if server.app == "bare":
                result["lost_after_backfill"] = None  # no backfill: lost_live is the number
            self.results.append(result)
            print("   " + one_line(result), flush=True)
            return result
        finally:
            await close_room(room)


def one_line(r: dict) -> str:
    lost = (
        r["lost_live"]
        if r["lost_after_backfill"] is None
        else (f"{r['lost_live']}->{r['lost_after_backfill']}")
    )
    return (
        f"connected {r['connected']} in {r['connect_seconds']} s; sent {r['sent']} "
        f"acked {r['acked']} refused {sum(r['refused'].values())}; ack {fmt3(r['ack_ms'])} "
        f"fan-out {fmt3(r['fanout_ms'])} ms (non-senders {fmt3(r['fanout_non_senders_ms'])}); "
        f"{r['deliveries_per_s']} deliveries/s; late {r['late_deliveries']}; "
        f"lost {lost} dup {r['duplicated']}; server CPU {r['server_cpu_percent']} %"
    )


def fmt3(values) -> str:
    return "/".join(f"{v:g}" for v in values) if values else "-"


def uvicorn_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("uvicorn") is not None


def redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


async def run_phases(run: Run, servers: list[str]) -> None:
    args = run.args
    targets = [(kind, app) for kind in servers for app in ("bare", "app")]
    for clients in args.clients:
        for kind, app in targets:
            await run.phase(
                name="paced",
                kind=kind,
                app=app,
                clients=clients,
                senders=args.senders,
                rate=args.rate,
                seconds=args.seconds,
            )
    if args.burst:
        senders = args.burst_senders or math.ceil(args.burst / APP_BURST_ALLOWANCE)
        senders = min(senders, args.burst_clients)
        for kind, app in targets:
            await run.phase(
                name="burst",
                kind=kind,
                app=app,
                clients=args.burst_clients,
                senders=senders,
                rate=None,
                seconds=0,
                burst=args.burst,
            )
    for rate in args.saturation_rates:
        for kind, app in targets:
            await run.phase(
                name="saturation",
                kind=kind,
                app=app,
                clients=args.saturation_clients,
                senders=args.saturation_clients,
                rate=rate,
                seconds=args.saturation_seconds,
            )


# --- report ----------------------------------------------------------------------------


def sustained(r: dict) -> bool:
    if r["lost_after_backfill"] is None:
        lost = r["lost_live"]
    else:  # a client told to reload counts too: chat was not keeping up for it
        lost = r["lost_after_backfill"] + r["missing_left_to_reload"]
    return bool(
        r["fanout_ms"]
        and r["fanout_ms"][1] < SUSTAINED_P95_SECONDS * 1000
        and lost == 0
        and r["acked"] == r["sent"]
        and r["connected"] == r["clients"]
    )


def after_backfill(r: dict) -> str:
    if r["lost_after_backfill"] is None:
        return "n/a"
    if r.get("reloaded_clients"):
        return (
            f"{r['lost_after_backfill']} + {r['missing_left_to_reload']} on "
            f"{r['reloaded_clients']} clients told to reload"
        )
    return str(r["lost_after_backfill"])


def ratio(a, b) -> str:
    return f"{a / b:.2f}" if a is not None and b else "-"


def report(run: Run) -> str:
    out: list[str] = []
    results = run.results
    paced = [r for r in results if r["phase"] == "paced"]
    if paced:
        out += [
            f"### Paced: {run.args.rate:g} msg/s in total from {run.args.senders} senders, "
            f"{run.args.seconds:g} s",
            "",
            "| server | app | clients | connected (s) | sent | acked | refused | ack p50/p95/p99 ms"
            " | fan-out p50/p95/p99 ms | deliveries/s | lost live | lost after backfill | dup"
            " | server CPU % | client CPU % | box busy % |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in paced:
            out.append(
                f"| {r['server']} | {r['app']} | {r['clients']} | {r['connected']} "
                f"({r['connect_seconds']}) | {r['sent']} | {r['acked']} | "
                f"{sum(r['refused'].values())} | {fmt3(r['ack_ms'])} | {fmt3(r['fanout_ms'])} | "
                f"{r['deliveries_per_s']} | {r['lost_live']} | "
                f"{after_backfill(r)} | "
                f"{r['duplicated']} | {r['server_cpu_percent']} | {r['client_cpu_percent']} | "
                f"{r['machine_busy_percent']} |"
            )
        out += ["", "App / bare, fan-out p95 (target 9 in perf-anchors: at most 1.25):", ""]
        for r in paced:
            if r["app"] != "app":
                continue
            bare = next(
                (
                    b
                    for b in paced
                    if b["app"] == "bare"
                    and b["server"] == r["server"]
                    and b["clients"] == r["clients"]
                ),
                None,
            )
            if bare and r["fanout_ms"] and bare["fanout_ms"]:
                out.append(
                    f"- {r['server']}, {r['clients']} clients: "
                    f"{ratio(r['fanout_ms'][1], bare['fanout_ms'][1])} "
                    f"(p99 {ratio(r['fanout_ms'][2], bare['fanout_ms'][2])})"
                )
        out.append("")
    bursts = [r for r in results if r["phase"] == "burst"]
    if bursts:
        out += [
            f"### Burst: {run.args.burst} messages as fast as possible into "
            f"{run.args.burst_clients} clients",
            "",
            "| server | app | senders | sent | acked | refused | deliveries | lost before backfill"
            " | lost after backfill | dup | fan-out p50/p95/p99 ms | over-capacity log lines |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in bursts:
            out.append(
                f"| {r['server']} | {r['app']} | {r['senders']} | {r['sent']} | {r['acked']} | "
                f"{sum(r['refused'].values())} | {r['deliveries']} of "
                f"{r['expected_messages'] * r['connected']} | {r['lost_live']} | "
                f"{after_backfill(r)} | "
                f"{r['duplicated']} | {fmt3(r['fanout_ms'])} | {r['over_capacity_log_lines']} |"
            )
        out.append("")
    steps = [r for r in results if r["phase"] == "saturation"]
    if steps:
        out += [
            f"### Saturation: {run.args.saturation_clients} clients, all sending, "
            f"{run.args.saturation_seconds:g} s a step",
            "",
            "| server | app | msg/s | offered deliveries/s | achieved deliveries/s | ack p95 ms"
            " | fan-out p95 ms | lost (after backfill) | refused | unacked | server CPU % |"
            " sustained |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in steps:
            lost = (
                r["lost_live"]
                if r["lost_after_backfill"] is None
                else (f"{r['lost_live']} ({after_backfill(r)})")
            )
            out.append(
                f"| {r['server']} | {r['app']} | {r['rate']:g} | {r['offered_deliveries_per_s']} "
                f"| {r['deliveries_per_s']} | {r['ack_ms'][1] if r['ack_ms'] else '-'} | "
                f"{r['fanout_ms'][1] if r['fanout_ms'] else '-'} | {lost} | "
                f"{sum(r['refused'].values())} | {r['unacked']} | {r['server_cpu_percent']} | "
                f"{'yes' if sustained(r) else 'no'} |"
            )
        out.append("")
        for kind in dict.fromkeys(r["server"] for r in steps):
            app = [r for r in steps if r["server"] == kind and r["app"] == "app"]
            bare = [r for r in steps if r["server"] == kind and r["app"] == "bare"]
            app_ok = [r for r in app if sustained(r)]
            bare_ok = [r for r in bare if sustained(r)]
            if not app_ok:
                out.append(f"- {kind}: the app sustained none of the steps.")
                continue
            top = max(app_ok, key=lambda r: r["rate"])
            same = next((r for r in bare if r["rate"] == top["rate"]), None)
            out.append(
                f"- {kind}: the app's highest sustained step is {top['rate']:g} msg/s, "
                f"{top['deliveries_per_s']} deliveries/s; bare at the same step: "
                f"{same['deliveries_per_s'] if same else '-'}; ratio app/bare "
                f"{ratio(top['deliveries_per_s'], same['deliveries_per_s'] if same else None)}."
            )
            if bare_ok:
                best = max(bare_ok, key=lambda r: r["rate"])
                ceiling = (
                    " (the highest step offered)"
                    if best["rate"] == max(run.args.saturation_rates)
                    else ""
                )
                out.append(
                    f"- {kind}: bare's highest sustained step is {best['rate']:g} msg/s"
                    f"{ceiling}, {best['deliveries_per_s']} deliveries/s; ratio of highest "
                    f"sustained deliveries/s app/bare "
                    f"{ratio(top['deliveries_per_s'], best['deliveries_per_s'])}."
                )
        out.append("")
    if run.notes:
        out += ["Notes:", "", *[f"- {note}" for note in run.notes], ""]
    return "\n".join(out)


# --- main ------------------------------------------------------------------------------


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def start_watchdog(run: Run) -> None:
    def hard_stop():
        print("\nbench: time budget exceeded; killing the servers and exiting", flush=True)
        stop_all_servers()
        if not run.args.keep_db:
            with contextlib.suppress(Exception):
                drop_database()
        os._exit(3)

    timer = threading.Timer(run.budget.remaining() + 120, hard_stop)
    timer.daemon = True
    timer.start()


def environment_info(run: Run, servers: list[str]) -> dict:
    import channels
    import channels_redis
    import django
    import websockets

    versions = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "channels": channels.__version__,
        "channels_redis": channels_redis.__version__,
        "websockets": websockets.__version__,
    }
    with contextlib.suppress(Exception):
        import daphne

        versions["daphne"] = daphne.__version__
    if "uvicorn" in servers:
        import uvicorn

        versions["uvicorn"] = uvicorn.__version__
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, fixed args
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    ).stdout.strip()
    return {
        "versions": versions,
        "commit": commit,
        "cpus": os.cpu_count(),
        "loadavg_at_start": os.getloadavg(),
        "command": " ".join(sys.argv),
    }


async def main_async(run: Run, servers: list[str]) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, task.cancel)
    await run_phases(run, servers)


def main(argv=None) -> int:
    args = parse_args(argv)
    run = Run(args)
    os.chdir(BASE_DIR)
    sys.path.insert(0, str(BASE_DIR))
    raise_file_limit()
    servers = []
    for kind in args.server:
        if kind == "uvicorn" and not uvicorn_installed():
            run.note("uvicorn not installed: skipped (pip install 'uvicorn[standard]' to include)")
        else:
            servers.append(kind)
    if not servers:
        print(report(run))
        return 1
    if not redis_answers(args.redis_url):
        print(
            f"bench: Redis does not answer at {args.redis_url}; start it first "
            "(scripts/ensure_services.py --require-redis)",
            file=sys.stderr,
        )
        return 2
    run.log_dir.mkdir(parents=True, exist_ok=True)
    atexit.register(stop_all_servers)
    start_watchdog(run)
    os.environ.update(run.app_env)  # this process uses the ORM to fill the bench database
    members = max(
        [
            *args.clients,
            args.burst_clients if args.burst else 0,
            args.saturation_clients if args.saturation_rates else 0,
        ]
    )
    info = environment_info(run, servers)
    per_sender = args.rate / args.senders
    if per_sender > APP_REFILL_PER_SECOND:
        run.note(
            f"each sender sends {per_sender:g} msg/s, above the app's per-member refill "
            f"of {APP_REFILL_PER_SECOND:g}/s: expect 'rate_limited' refusals"
        )
    exit_code = 0
    try:
        started = time.monotonic()
        print(f"bench: creating {DB_NAME} and {members} members...", flush=True)
        create_database(run.app_env)
        run.sessions = fill_database(members)
        print(
            f"bench: database ready in {time.monotonic() - started:.1f} s; "
            f"logs in {run.log_dir.relative_to(BASE_DIR)}",
            flush=True,
        )
        asyncio.run(main_async(run, servers))
    except (KeyboardInterrupt, asyncio.CancelledError):
        run.note("interrupted: the results are partial")
        exit_code = 130
    finally:
        stop_all_servers()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            try:
                drop_database()
            except Exception as error:
                run.note(f"could not drop {DB_NAME}: {error}")
        with contextlib.suppress(Exception):
            delete_redis_keys(args.redis_url, run.prefix)
    table = report(run)
    print("\n" + table)
    path = BENCH_DIR / f"results-{run.stamp}.json"
    path.write_text(
        json.dumps(
            {
                "started": run.stamp,
                "args": vars(args),
                **info,
                "loadavg_at_end": os.getloadavg(),
                "results": run.results,
                "notes": run.notes,
                "markdown": table,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"bench: wrote {path.relative_to(BASE_DIR)}")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
