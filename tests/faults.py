"""Fault tests' own services: a PostgreSQL cluster and a redis-server of their own, on
spare ports, that a test may stop, restart, make read-only or freeze without touching
anything another test (or person) uses; and a real server process running against
them. Every process started here is stopped by the fixture that started it, also when
the test fails, and every wait is bounded.

The cluster is made once per test session (initdb, migrate); each test gets a fresh
database copied from the migrated template."""

import contextlib
import glob
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
import pytest
import redis
from django.db import connection

from tests.servers import free_port, log_tail, start_server, stop, wait_until_ready

BASE_DIR = Path(__file__).resolve().parent.parent
START_TIMEOUT = 40.0
TEMPLATE = "faults_template"


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result


class PostgresCluster:
    """A throw-away cluster of our own (PostgreSQL refuses to run as root, so as the
    postgres user when we are root)."""

    def __init__(self, directory: Path, *, max_connections: int = 60):
        initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb")]
        if not initdb or not initdb[-1]:
            raise RuntimeError("initdb is not installed (apt-get install -y postgresql)")
        self.bindir = Path(initdb[-1]).parent
        self.directory = directory
        self.datadir = directory / "data"
        self.port = free_port()
        self.max_connections = max_connections
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.datadir.mkdir()
        if self.as_user:
            shutil.chown(self.directory, "postgres", "postgres")
            shutil.chown(self.datadir, "postgres", "postgres")
        _run([*self.as_user, str(self.bindir / "initdb"), "-D", str(self.datadir), "-U",
              "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"])  # fmt: skip

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
                   f"-c max_connections={self.max_connections} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
        log = str(self.directory / "server.log")
        _run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", log,
              "-w", "-t", "20", "start", "-o", options])  # fmt: skip

    def stop(self) -> None:
        _run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast",
              "-w", "-t", "20", "stop"])  # fmt: skip

    def running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()

    def connect(self, dbname: str = "postgres"):
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres",
                                      dbname=dbname, connect_timeout=5)  # fmt: skip
        connection.autocommit = True
        return connection

    def execute(self, sql: str, params=(), dbname: str = "postgres"):
        connection = self.connect(dbname)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    def set_read_only(self, on: bool) -> None:
        self.execute(f"ALTER SYSTEM SET default_transaction_read_only = {'on' if on else 'off'}")
        self.execute("SELECT pg_reload_conf()")

    def refuse_writes(self, dbname: str, refuse: bool = True) -> None:
        """Like a failover to a replica, for one database: new sessions may read but not
        write, and the sessions open now are dropped (servers reconnect, read-only)."""
        setting = "SET default_transaction_read_only = on" if refuse else (
            "RESET default_transaction_read_only")  # fmt: skip
        self.execute(f'ALTER DATABASE "{dbname}" {setting}')
        self.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        )

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            text = (self.directory / "server.log").read_text(errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return ""


class RedisServer:
    """A redis-server of our own, in the foreground, so we know its process."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        log = (self.directory / "redis.log").open("ab")
        try:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.directory)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        finally:
            log.close()
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        raise
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.thaw()
            stop(self.process)
            self.process = None

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    @contextlib.contextmanager
    def frozen(self):
        """Redis stops answering (its process is stopped, its port still accepts
        connections), and always comes back."""
        self.freeze()
        try:
            yield
        finally:
            self.thaw()


def django_env(database_url: str, redis_url: str, **extra: str) -> dict:
    env = dict(os.environ)
    for name in ("SMTP_HOST", "TEST_DATABASE_NAME", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    env.update({"DJANGO_SETTINGS_MODULE": "peersupport.settings.test",
                "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                "CHANNELS_PREFIX": f"faults-{uuid.uuid4().hex[:8]}:", "PYTHONUNBUFFERED": "1",
                **extra})  # fmt: skip
    return env


def copy_schema(cluster: PostgresCluster, source_database: str) -> None:
    """The template is a copy of the suite's own migrated test database (pg_dump, a
    read): running the migrations again would take a minute on a busy machine."""
    cluster.execute(f'CREATE DATABASE "{TEMPLATE}"')
    dump = subprocess.run(
        [str(cluster.bindir / "pg_dump"), "-h", "127.0.0.1", "-p", "5432", "-U", "postgres",
         "--no-owner", "--no-privileges", source_database],
        capture_output=True, timeout=60,
    )  # fmt: skip
    if dump.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {dump.stderr.decode(errors='replace')}")
    subprocess.run(
        [str(cluster.bindir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
         str(cluster.port), "-U", "postgres", "-d", TEMPLATE],
        input=dump.stdout, capture_output=True, timeout=60, check=True,
    )  # fmt: skip


def fresh_database(cluster: PostgresCluster) -> str:
    name = f"faults_{uuid.uuid4().hex[:10]}"
    cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    return name


SEED = """
import json, sys
import django
django.setup()
from django.conf import settings
from tests.factories import Community, person, signed_in
place = Community()
extra = [place.join(person("Member"), approved_post_count=10) for _ in range(int(sys.argv[1]))]
name = settings.SESSION_COOKIE_NAME
def cookie(user):
    return f"{name}={signed_in(user).cookies[name].value}"
print(json.dumps({"slug": place.group.slug, "member": cookie(place.member),
                  "other": cookie(place.other), "leader": cookie(place.leader),
                  "extra": [cookie(user) for user in extra]}))
"""


def seed(database_url: str, redis_url: str, extra_members: int = 0) -> dict:
    """A Community in the database, and session cookies for its member, other member,
    leader and `extra_members` more members."""
    env = django_env(database_url, redis_url)
    result = _run([sys.executable, "-c", SEED, str(extra_members)], cwd=BASE_DIR, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def log_tail(self, lines: int = 60) -> str:
        return log_tail(self.log_path, lines)


@contextlib.contextmanager
def running_server(env: dict, log_path: Path, kind: str = "daphne"):
    process = start_server(env, log_path, kind=kind)
    server = Server(port=process.port, process=process, log_path=log_path)
    try:
        wait_until_ready(process, START_TIMEOUT, log_path)
        yield server
    finally:
        stop(process)
        # Shown by pytest only when the test fails.
        sys.stderr.write(f"\n--- {kind} :{server.port} ---\n{server.log_tail()}\n")


EXTRA_MEMBERS = 12


@pytest.fixture(scope="session")
def own_postgres(django_db_setup, django_db_blocker):
    """Our own PostgreSQL cluster with a template database: the suite's schema and one
    Community with signed-in members (`cluster.place`: the group's slug and session
    cookies), made once. Not under pytest's temporary directory: that is private to
    us, and the cluster runs as postgres."""
    directory = Path(tempfile.mkdtemp(prefix="peersupport-faults-pg-"))
    directory.chmod(0o755)
    cluster = PostgresCluster(directory / "cluster")
    try:
        cluster.init()
        cluster.start()
        copy_schema(cluster, connection.settings_dict["NAME"])
        cluster.place = seed(cluster.url(TEMPLATE), "", EXTRA_MEMBERS)
        yield cluster
    finally:
        if cluster.running():
            with contextlib.suppress(Exception):
                cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path / "own-redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres(own_postgres):
    """The cluster, answering and writable however the test left it."""
    yield own_postgres
    if not own_postgres.running():
        own_postgres.start()
    own_postgres.set_read_only(False)


# A small HTTP client that keeps cookies the way a browser would over HTTPS.

REQUEST_TIMEOUT = 15


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str


class Browser:
    """Requests to one server with a cookie jar. It keeps Secure cookies over plain
    HTTP (the test server has no TLS), sends the Origin header a browser would and the
    X-Real-IP header production's proxy would."""

    def __init__(self, port: int, *, address: str = "127.0.0.1"):
        self.port = port
        self.address = address  # the loopback address the requests come from
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, data: dict | None = None,
                headers: dict | None = None) -> Response:  # fmt: skip
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT, source_address=(self.address, 0)
        )
        # X-Real-IP as the proxy in front of production's app servers sets it (a real
        # proxy, as in tests/deploy, replaces it with the address the request came from).
        sent = {"Origin": self.origin, "Referer": f"{self.origin}/", "X-Real-IP": self.address,
                **(headers or {})}  # fmt: skip
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(status=response.status, headers=response.headers, text=text)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Response:
        """A form post with the CSRF token a page of ours would carry (from the cookie)."""
        return self.request("POST", path, {"csrfmiddlewaretoken": self.cookies.get(
            "csrftoken", ""), **data}, **kwargs)  # fmt: skip


def wait_until(check, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting: {what}")
        time.sleep(0.1)
