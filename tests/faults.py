"""Helpers for fault tests: a PostgreSQL cluster of the test's own (on a spare port,
in a temporary directory) that a test may stop, start and make refuse writes, and a
small HTTP client that keeps cookies the way a browser would over HTTPS.

Nothing here touches the shared database server beyond reading the test database's
schema. Every process started here is stopped by the fixture that started it."""

import contextlib
import glob
import http.client
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

from tests.servers import free_port

COMMAND_TIMEOUT = 60
REQUEST_TIMEOUT = 15


def _postgres_bindir() -> Path:
    found = shutil.which("initdb") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None
    )
    if not found:
        raise RuntimeError("PostgreSQL's initdb is needed for fault tests")
    return Path(os.path.realpath(found)).parent


def _as_postgres() -> list[str]:
    # PostgreSQL refuses to run as root.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class OwnPostgres:
    """A throwaway cluster: `url` names its one database, `peersupport`."""

    directory: Path
    port: int = field(default_factory=free_port)
    bindir: Path = field(default_factory=_postgres_bindir)
    dbname: str = "peersupport"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.dbname}"

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

    def _run(self, *command: str) -> None:
        subprocess.run([*_as_postgres(), *command], check=True, capture_output=True,
                       timeout=COMMAND_TIMEOUT)  # fmt: skip

    def create(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres",
                  "--auth=trust", "--encoding=UTF8", "--no-sync")  # fmt: skip
        self.start()
        with self.connect("postgres") as connection:
            connection.cursor().execute(f'CREATE DATABASE "{self.dbname}"')

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
                   "-c fsync=off -c full_page_writes=off")  # fmt: skip
        log = str(self.directory / "server.log")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", log, "-w",
                  "-t", "30", "start", "-o", options)  # fmt: skip

    def stop(self) -> None:
        """The database goes away at once, as in a crash or a lost network."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate",
                  "-w", "-t", "30", "stop")  # fmt: skip

    def is_running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()

    @contextlib.contextmanager
    def connect(self, dbname: str | None = None):
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres",
                                      dbname=dbname or self.dbname, connect_timeout=5)  # fmt: skip
        connection.autocommit = True
        try:
            yield connection
        finally:
            connection.close()

    def copy_schema_from(self, source_url_params: dict) -> None:
        """The tables of another database (the test database), without its rows."""
        dump = subprocess.run(
            ["pg_dump", "--schema-only", "--no-owner", "--no-privileges",
             "-h", source_url_params["host"], "-p", str(source_url_params["port"]),
             "-U", source_url_params["user"], source_url_params["dbname"]],
            check=True, capture_output=True, timeout=COMMAND_TIMEOUT,
        )  # fmt: skip
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "-d", self.dbname],
            input=dump.stdout, check=True, capture_output=True, timeout=COMMAND_TIMEOUT,
        )  # fmt: skip

    def refuse_writes(self, refuse: bool = True) -> None:
        """Like a failover to a replica: new sessions may read but not write, and the
        sessions open now are dropped (the servers reconnect, read-only)."""
        with self.connect("postgres") as connection:
            cursor = connection.cursor()
            setting = "SET default_transaction_read_only = on" if refuse else (
                "RESET default_transaction_read_only")  # fmt: skip
            cursor.execute(f'ALTER DATABASE "{self.dbname}" {setting}')
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.dbname],
            )


@contextlib.contextmanager
def own_postgres():
    """A fresh cluster on a spare port, removed afterwards whatever happened."""
    directory = Path(tempfile.mkdtemp(prefix="peersupport-fault-pg-"))
    directory.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = OwnPostgres(directory=directory)
    try:
        cluster.create()
        yield cluster
    finally:
        if cluster.is_running():
            with contextlib.suppress(subprocess.SubprocessError):
                cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str


class Browser:
    """Requests to one server with a cookie jar. It keeps Secure cookies over plain
    HTTP (the test server has no TLS) and sends the Origin header a browser would."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, data: dict | None = None,
                headers: dict | None = None) -> Response:  # fmt: skip
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        sent = {"Origin": self.origin, **(headers or {})}
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
