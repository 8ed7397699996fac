"""Make sure PostgreSQL (and Redis, when asked) answer, starting them if this
machine has them installed, and create the project's database if it is missing.
Says exactly what to do when something cannot be started."""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/peersupport"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


def say(message: str) -> None:
    sys.stdout.write(f"[services] {message}\n")
    sys.stdout.flush()


def fail(message: str) -> None:
    sys.stderr.write(f"\n[services] CANNOT CONTINUE: {message}\n\n")
    sys.exit(1)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)


# PostgreSQL


def pg_params(url: str, dbname: str | None = None) -> dict:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or "") or None,
        "dbname": dbname or parts.path.lstrip("/") or "peersupport",
        "connect_timeout": 3,
    }


def pg_answers(url: str) -> bool:
    try:
        psycopg2.connect(**pg_params(url, dbname="postgres")).close()
        return True
    except psycopg2.OperationalError:
        return False


def wait_for(check, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def cluster_port(config: Path) -> int:
    try:
        for line in config.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "port":
                return int(value.split("#")[0].strip())
    except (OSError, ValueError):
        pass
    return 5432


def start_system_cluster(url: str) -> bool:
    if not shutil.which("pg_ctlcluster"):
        return False
    wanted_port = pg_params(url)["port"]
    for version_dir in sorted(glob.glob("/etc/postgresql/*/main")):
        version = Path(version_dir).parent.name
        if cluster_port(Path(version_dir) / "postgresql.conf") != wanted_port:
            continue
        say(f"starting the machine's PostgreSQL {version} cluster")
        run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
        if wait_for(lambda: pg_answers(url)):
            return True
    return False


def start_project_cluster(url: str) -> bool:
    """A cluster of the project's own under .pgdata/ (git-ignored)."""
    candidates = [shutil.which("initdb"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))]
    initdb = next((path for path in reversed(candidates) if path), None)
    if not initdb:
        return False
    bindir = Path(initdb).parent
    datadir = ROOT / ".pgdata"
    params = pg_params(url)
    as_user: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root.
        if not shutil.which("runuser"):
            return False
        as_user = ["runuser", "-u", "postgres", "--"]
    if not (datadir / "PG_VERSION").exists():
        say(f"creating a project-local PostgreSQL cluster in {datadir}")
        datadir.mkdir(exist_ok=True)
        if as_user:
            shutil.chown(datadir, "postgres", "postgres")
        result = run(
            [
                *as_user,
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
            ]
        )
        if result.returncode != 0:
            say(result.stderr.strip())
            return False
    say(f"starting the project-local PostgreSQL on port {params['port']}")
    result = run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(datadir),
            "-l",
            str(datadir / "server.log"),
            "-w",
            "start",
            "-o",
            f"-p {params['port']} -c listen_addresses=127.0.0.1 -k /tmp",
        ]
    )
    if result.returncode != 0:
        say(result.stderr.strip() or result.stdout.strip())
    return wait_for(lambda: pg_answers(url))


def ensure_database(url: str) -> None:
    params = pg_params(url)
    connection = psycopg2.connect(**pg_params(url, dbname="postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["dbname"]])
        if cursor.fetchone() is None:
            say(f"creating database {params['dbname']}")
            cursor.execute(f'CREATE DATABASE "{params["dbname"]}"')
    connection.close()


def ensure_postgres(url: str) -> None:
    params = pg_params(url)
    where = f"{params['host']}:{params['port']}"
    if not pg_answers(url):
        say(f"PostgreSQL does not answer at {where}")
        if params["host"] not in LOCAL_HOSTS:
            fail(
                f"PostgreSQL at {where} (from DATABASE_URL) does not answer. Start it, or "
                "point DATABASE_URL at a server that runs."
            )
        if not (start_system_cluster(url) or start_project_cluster(url)):
            fail(
                f"no PostgreSQL answers at {where} and none could be started here.\n"
                "  Install it:   apt-get install -y postgresql   (Debian/Ubuntu)\n"
                "  or start it:  pg_ctlcluster <version> main start\n"
                "  or set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/peersupport"
            )
    ensure_database(url)
    say(f"PostgreSQL answers at {where}, database {params['dbname']} is there")


# Redis


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_redis(url: str, *, required: bool) -> None:
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or 6379}"
    if redis_answers(url):
        say(f"Redis answers at {where}")
        return
    server = shutil.which("redis-server")
    if parts.hostname in LOCAL_HOSTS and server:
        say(f"starting redis-server on {where}")
        logdir = ROOT / ".redis"
        logdir.mkdir(exist_ok=True)
        run(
            [
                server,
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                str(parts.port or 6379),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(logdir),
                "--logfile",
                str(logdir / "redis.log"),
            ]
        )
        if wait_for(lambda: redis_answers(url), seconds=10):
            say(f"Redis answers at {where}")
            return
    advice = (
        f"Redis does not answer at {where}.\n"
        "  Install it:  apt-get install -y redis-server\n"
        "  or start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''\n"
        "  or set REDIS_URL=redis://HOST:PORT/0"
    )
    if required:
        fail(advice + "\n  The test suite needs Redis: chat's real channel layer is tested on it.")
    say(
        "warning: "
        + advice.replace("\n", "\n[services]   ")
        + "\n[services] Running without Redis: live chat works within one process only."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--require-redis", action="store_true")
    parser.add_argument(
        "--redis-answers", action="store_true",
        help="only say, by the exit status, whether Redis answers at REDIS_URL",
    )  # fmt: skip
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if args.redis_answers:
        sys.exit(0 if redis_answers(redis_url) else 1)
    ensure_postgres(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    ensure_redis(redis_url, required=args.require_redis)


if __name__ == "__main__":
    main()
