"""Page benchmark: our pages through the production shape against a one-query ceiling.

    .venv/bin/python bench/pages.py                # full size, about 10 minutes
    .venv/bin/python bench/pages.py --scale 0.05   # a quick small run

1. Seeds `peersupport_bench` (once; again only when --scale changes or with --reseed)
   with a forum of realistic size: 2,000 members, 20 groups, 10,000 threads, 200,000
   posts, reactions and reply notifications, as the services would have left them.
2. Starts the production shape (scripts/prod) on it, and the ceiling app of
   ../shared/bench/limit_app (gunicorn, 2 sync workers, persistent connections) on
   another port against the same database server.
3. Signs a member in through the login form and runs interleaved wrk rounds
   (../shared/bench/http_bench.py) at 32 connections, then at 1, over: the ceiling's
   /tpl, a group's thread list, a 100-post thread (page 1), the groups directory, and
   home signed in and signed out. Prints req/s, p50 at 1 connection, p99, each page's
   share of the ceiling, and the peak database connections per process type (sampled
   from pg_stat_activity) against deploy/README.md's budget.

See bench/README.md ("Page benchmark") for what the numbers mean.
"""

import argparse
import base64
import datetime
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SHARED_BENCH = BASE_DIR / ".." / "shared" / "bench"
HOST = "127.0.0.1"
PG = {"host": HOST, "port": 5432, "user": "postgres"}
DB_NAME = "peersupport_bench"
LIMIT_DB_NAME = "peersupport_bench_limit"
SECRET_KEY = "bench-only-not-a-secret"  # noqa: S105 - a local benchmark's
RECOVERY_KEY = b"bench-only-recovery-key-32bytes!"
PASSWORD = "bench-password-2026"  # noqa: S105 - a local benchmark's
BENCH_EMAIL = "bench-reader@example.invalid"
FULL = {"members": 2_000, "groups": 20, "threads": 10_000, "posts": 200_000}
LONG_THREAD_POSTS = 100
START_TIMEOUT = 240.0
BODIES = [
    "Day {n} today. Mornings are still the hardest part, but I made coffee and sat "
    "outside instead of reaching for anything. Thank you all for being here.",
    "I had a craving after work and used the **urge surfing** trick from last week. "
    "It passed after about twenty minutes. Writing it down so I remember it works.",
    "My therapist and I changed my medication and the first week has been rough:\n\n"
    "- sleeping badly\n- more anxious than usual\n- but no drinking\n\nOne day at a time.",
    "Sending strength to everyone who is struggling this weekend. If it helps: call "
    "someone before you pick up, not after. That was the thing that changed it for me.",
    "Does anyone else find that the evenings are when the depression and the cravings "
    "show up together? I'm trying to plan something small for 6pm every day.",
    "Relapsed on Saturday. I'm not going to pretend it didn't happen. Back to day one, "
    "and I'm telling you because hiding it is how it got bad last time.",
    "Three months clean today. I never thought I'd write that sentence. *Thank you.*",
    "A link that helped me with sleep hygiene was from my clinic, I'll ask them if "
    "they have a public version. In the meantime: no screens after ten, it works.",
]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    parser.add_argument("--port", type=int, default=8090, help="the production shape's port")
    parser.add_argument("--limit-port", type=int, default=8091, help="the ceiling app's port")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--latency-rounds", type=int, default=2, help="rounds at 1 connection")
    parser.add_argument("--quiet-max-wait", type=float, default=5)
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument(
        "--shared-bench",
        type=Path,
        default=DEFAULT_SHARED_BENCH,
        help="the shared benchmark helpers (http_bench.py, wrk_json.lua, limit_app/)",
    )
    return parser.parse_args(argv)


def sizes(scale: float) -> dict[str, int]:
    size = {name: max(1, round(value * scale)) for name, value in FULL.items()}
    size["groups"] = max(2, size["groups"])
    size["threads"] = max(size["groups"] * 2, size["threads"])
    size["posts"] = max(size["threads"] + size["groups"] * LONG_THREAD_POSTS, size["posts"])
    size["members"] = max(20, size["members"])
    return size


def app_env() -> dict[str, str]:
    """The environment of the app's processes: production settings on loopback."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DB_NAME}",
            "PROD_SETTINGS": "peersupport.settings.loopback",
            "DJANGO_SETTINGS_MODULE": "peersupport.settings.loopback",
            "SECRET_KEY": SECRET_KEY,
            # Production requires a key for the recovery tools' encrypted data.
            "RECOVERY_ENCRYPTION_KEYS": base64.urlsafe_b64encode(RECOVERY_KEY).decode(),
            "REDIS_URL": env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "CHANNELS_PREFIX": f"bench-pages-{uuid.uuid4().hex[:8]}",
        }
    )
    return env


# --- the database ----------------------------------------------------------------------


def admin_connection():
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", connect_timeout=10, **PG)
    connection.autocommit = True
    return connection


def database_exists(name: str) -> bool:
    with admin_connection() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def seeded_scale() -> str | None:
    import psycopg2

    if not database_exists(DB_NAME):
        return None
    connection = psycopg2.connect(dbname=DB_NAME, connect_timeout=10, **PG)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_pages_seed')")
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute("SELECT scale FROM bench_pages_seed")
            row = cursor.fetchone()
            return row[0] if row else None
    finally:
        connection.close()


def recreate_database(name: str) -> None:
    from psycopg2 import sql

    connection = admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def migrate(env: dict[str, str]) -> None:
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
        subprocess.run(  # noqa: S603 - our own fixed command line
            [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True
        )


def lengths_summing_to(rng: random.Random, count: int, total: int) -> list[int]:
    """`count` thread lengths of at least 1, varied, adding up to exactly `total`."""
    average = total / count
    lengths = [max(1, round(rng.expovariate(1 / average))) for _ in range(count)]
    difference = total - sum(lengths)
    while difference:
        index = rng.randrange(count)
        if difference > 0:
            lengths[index] += 1
            difference -= 1
        elif lengths[index] > 1 and lengths[index] < LONG_THREAD_POSTS - 1:
            lengths[index] -= 1
            difference += 1
    return lengths


def seed(size: dict[str, int], scale: float) -> None:
    """Everything as the services leave it: groups made by group_create (owner and
    audit row), members joined as membership_join joins them, threads and posts
    numbered from 1 with the thread's counters and last activity, the group's last
    activity, rendered bodies of the current sanitizer version, reactions, and the
    reply notifications notify() writes (older ones read). Groups hold no posts for
    approval (held_posts_for_new_members=0), so no post waits in the queue."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.display_names import name_key
    from accounts.models import User
    from forum.models import Post, Reaction, ReadState, Thread
    from groups.markdown import SANITIZER_VERSION, render_markdown
    from groups.models import Membership, Notification, Topic
    from groups.services.groups import group_create
    from safety.rules import CURRENT_RULES_VERSION

    rng = random.Random(2026)
    started = time.monotonic()
    now = timezone.now()
    year_ago = now - datetime.timedelta(days=365)

    def progress(message: str) -> None:
        print(f"  [{time.monotonic() - started:6.1f} s] {message}", flush=True)

    unusable = make_password(None)
    users = []
    for number in range(1, size["members"] + 1):
        name = f"Bench member {number}"
        users.append(
            User(
                email=f"bench{number}@example.invalid", display_name=name,
                display_name_key=name_key(name), password=unusable,
                confirmed_adult_at=year_ago, rules_version_accepted=CURRENT_RULES_VERSION,
                rules_accepted_at=year_ago, date_joined=year_ago,
            )
        )  # fmt: skip
    if len({user.display_name_key for user in users}) != len(users):
        raise RuntimeError("bench display names collide; change the naming scheme")
    reader = users[0]
    reader.email = BENCH_EMAIL
    reader.display_name = "Bench reader"
    reader.display_name_key = name_key(reader.display_name)
    reader.password = make_password(PASSWORD)
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=2000)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            batch_size=2000,
        )
        admin = User.objects.create_user(
            "bench-admin@example.invalid", PASSWORD, display_name="Bench admin",
            is_staff=True, confirmed_adult_at=year_ago,
            rules_version_accepted=CURRENT_RULES_VERSION, rules_accepted_at=year_ago,
        )  # fmt: skip
        # Staff powers (opening groups at once) need two-factor set up.
        Authenticator.objects.create(
            user=admin, type=Authenticator.Type.TOTP,
            data={"secret": encrypt(base64.b32encode(os.urandom(20)).decode())},
        )  # fmt: skip
    progress(f"{len(users)} members")

    topics = list(Topic.objects.all())
    groups = []
    for number in range(1, size["groups"] + 1):
        groups.append(
            group_create(
                acting_user=admin, name=f"Recovery circle {number}", slug=f"circle-{number}",
                short_description=f"Peer support circle number {number}.",
                rules="Be kind. No sourcing, no dosing advice.",
                held_posts_for_new_members=0,
                topics=rng.sample(topics, min(2, len(topics))),
            )
        )  # fmt: skip
    members_of: dict[int, list] = {group.pk: [] for group in groups}
    memberships = []
    for index, user in enumerate(users):
        chosen = groups if user is reader else rng.sample(groups, min(3, len(groups)))
        for group in chosen:
            role = Membership.Role.LEADER if index % 97 == 1 else Membership.Role.MEMBER
            memberships.append(
                Membership(
                    user=user, group=group, role=role, state=Membership.State.ACTIVE,
                    joined_at=year_ago, accepted_rules_version=group.rules_version,
                )
            )  # fmt: skip
            members_of[group.pk].append(user)
    Membership.objects.bulk_create(memberships, batch_size=5000)
    progress(f"{len(groups)} groups, {len(memberships)} memberships")

    rendered = [(body, render_markdown(body)) for body in BODIES]
    per_group = size["threads"] // len(groups)
    thread_lengths = {}
    threads = []
    posts_left = size["posts"] - len(groups) * LONG_THREAD_POSTS
    others = size["threads"] - len(groups)
    lengths = iter(lengths_summing_to(rng, others, posts_left))
    for group_index, group in enumerate(groups):
        count = per_group if group_index < len(groups) - 1 else (
            size["threads"] - per_group * (len(groups) - 1)
        )  # fmt: skip
        for thread_index in range(count):
            length = LONG_THREAD_POSTS if thread_index == 0 else next(lengths)
            created = year_ago + datetime.timedelta(seconds=rng.uniform(0, 300 * 86400))
            thread = Thread(
                group=group, author=rng.choice(members_of[group.pk]),
                title=f"Thread {thread_index + 1} in circle {group_index + 1}",
                created_at=created, last_post_number=length, published_post_count=length,
                is_published=True,
            )  # fmt: skip
            threads.append(thread)
            thread_lengths[id(thread)] = length
    with transaction.atomic():
        Thread.objects.bulk_create(threads, batch_size=5000)
    progress(f"{len(threads)} threads")

    post_count = 0
    thread_last: dict[int, datetime.datetime] = {}
    batch: list = []
    authors_by_post: list = []

    def flush():
        nonlocal batch
        with transaction.atomic():
            Post.objects.bulk_create(batch, batch_size=5000)
        for post in batch:
            authors_by_post.append((post.pk, post.author_id, post.thread_id, post.number,
                                    post.created_at))  # fmt: skip
        batch = []

    for thread in threads:
        length = thread_lengths[id(thread)]
        moment = thread.created_at
        authors = members_of[thread.group_id]
        for number in range(1, length + 1):
            author = thread.author if number == 1 else rng.choice(authors)
            body, html = rendered[rng.randrange(len(rendered))]
            batch.append(
                Post(
                    thread=thread, author=author, number=number, body=body.format(n=number),
                    rendered_html=html.replace("{n}", str(number)),
                    rendered_version=SANITIZER_VERSION, state=Post.State.PUBLISHED,
                    created_at=moment,
                )
            )  # fmt: skip
            moment += datetime.timedelta(minutes=rng.uniform(5, 600))
        thread_last[thread.pk] = min(moment, now)
        post_count += length
        if len(batch) >= 20_000:
            flush()
            progress(f"{post_count} posts")
    flush()
    progress(f"{post_count} posts")

    with connection.cursor() as cursor:
        # Last activity = the newest post, as publish() leaves it.
        cursor.execute(
            "UPDATE peergroups_thread t SET last_activity_at = p.newest FROM "
            "(SELECT thread_id, max(created_at) AS newest FROM peergroups_post "
            "GROUP BY thread_id) p WHERE p.thread_id = t.id"
        )
        cursor.execute(
            "UPDATE peergroups_group g SET last_activity_at = t.newest FROM "
            "(SELECT group_id, max(last_activity_at) AS newest FROM peergroups_thread "
            "GROUP BY group_id) t WHERE t.group_id = g.id"
        )
    progress("last activity of threads and groups")

    thread_author = {thread.pk: thread.author_id for thread in threads}
    group_of_thread = {thread.pk: thread.group_id for thread in threads}
    recent = now - datetime.timedelta(days=2)
    notifications, reactions = [], []
    kinds = list(Reaction.Kind.values)
    for post_id, author_id, thread_id, number, created in authors_by_post:
        if number != 1 and thread_author[thread_id] != author_id:
            notifications.append(
                Notification(
                    user_id=thread_author[thread_id], kind=Notification.Kind.REPLY,
                    actor_id=author_id, group_id=group_of_thread[thread_id],
                    target_key=f"post:{post_id}", created_at=created,
                    read_at=None if created > recent else created + datetime.timedelta(hours=1),
                )
            )  # fmt: skip
        if rng.random() < 0.3:
            for reactor in rng.sample(members_of[group_of_thread[thread_id]], 2):
                if reactor.pk != author_id:
                    reactions.append(
                        Reaction(
                            post_id=post_id,
                            user=reactor,
                            kind=rng.choice(kinds),
                            created_at=created,
                        )
                    )
    with transaction.atomic():
        Notification.objects.bulk_create(notifications, batch_size=10_000)
        Reaction.objects.bulk_create(reactions, batch_size=10_000)
    progress(f"{len(notifications)} reply notifications, {len(reactions)} reactions")

    # The reader has read half the threads of the groups, up to their last post.
    ReadState.objects.bulk_create(
        [
            ReadState(user=reader, thread_id=thread.pk, last_read_number=thread.last_post_number)
            for thread in threads[::2]
        ],
        batch_size=10_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_pages_seed (scale text)")
        cursor.execute("INSERT INTO bench_pages_seed VALUES (%s)", [str(scale)])
        cursor.execute("ANALYZE")
    progress("read states; analysed")
    connection.close()


def targets_from_database() -> dict[str, list[str]]:
    """Paths to rotate over: thread lists of five groups, five 100-post threads."""
    import psycopg2

    connection = psycopg2.connect(dbname=DB_NAME, connect_timeout=10, **PG)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT g.slug, t.id FROM peergroups_thread t JOIN peergroups_group g "
                "ON g.id = t.group_id WHERE t.last_post_number = %s ORDER BY t.id LIMIT 5",
                [LONG_THREAD_POSTS],
            )
            rows = cursor.fetchall()
    finally:
        connection.close()
    return {
        "threads": [f"/groups/{slug}/threads/" for slug, _pk in rows],
        "thread-100": [f"/groups/{slug}/threads/{pk}/" for slug, pk in rows],
    }


# --- the servers -----------------------------------------------------------------------


class Servers:
    def __init__(self):
        self.processes: list[subprocess.Popen] = []
        self.log_dir = Path(tempfile.mkdtemp(prefix="bench-pages-"))

    def start_shape(self, port: int) -> None:
        output = self.log_dir / "prod.out"
        with output.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - our own fixed command line
                [sys.executable, "scripts/prod", str(port), "--quiet",
                 "--run-dir", str(self.log_dir / "shape")],
                cwd=BASE_DIR, env=app_env(), stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes.append(process)
        deadline = time.monotonic() + START_TIMEOUT
        while "[prod] ready on" not in output.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the production shape did not start:\n{output.read_text()}")
            time.sleep(0.3)
        print("  " + output.read_text().strip().splitlines()[-1], flush=True)

    def start_limit_app(self, port: int, shared_bench: Path) -> None:
        limit_app = shared_bench / "limit_app"
        if not (limit_app / "manage.py").exists():
            sys.exit(
                f"the ceiling app is missing: expected {limit_app} (../shared/bench/ "
                "beside the repository, or --shared-bench; see bench/README.md)"
            )
        env = dict(os.environ)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update({"LIMIT_DB": LIMIT_DB_NAME, "LIMIT_DB_MODE": "persistent",
                    "PGHOST": PG["host"], "PGPORT": str(PG["port"]), "PGUSER": PG["user"],
                    "PGAPPNAME": "limit-app"})  # fmt: skip
        if not database_exists(LIMIT_DB_NAME):
            recreate_database(LIMIT_DB_NAME)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=limit_app, env=env, check=True,
        )  # fmt: skip
        log = (self.log_dir / "limit.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own fixed command line
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
             "--bind", f"{HOST}:{port}", "--no-control-socket", "limitproj.wsgi"],
            cwd=limit_app, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while not _answers(port, "/tpl"):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the ceiling app did not start; see {self.log_dir / 'limit.log'}")
            time.sleep(0.3)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(port: int, path: str) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def sign_in(port: int) -> str:
    """The session cookie of the bench reader, through the real login form."""
    cookies: dict[str, str] = {}

    def request(method, path, body=None):
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        headers = {"Origin": f"http://{HOST}:{port}", "Referer": f"http://{HOST}:{port}/"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        page = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response, page

    _response, page = request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "login": BENCH_EMAIL, "password": PASSWORD})
    response, page = request("POST", "/accounts/login/", form)
    if response.status != 302 or "sessionid" not in cookies:
        sys.exit(f"could not sign the bench reader in ({response.status}):\n{page[:2000]}")
    return cookies["sessionid"]


# --- database connections --------------------------------------------------------------


class ConnectionSampler(threading.Thread):
    """Peak connections per application_name (the Procfile's process names)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peaks: dict[str, int] = {}
        self.running = True

    def run(self):
        import psycopg2

        connection = psycopg2.connect(dbname="postgres", connect_timeout=10, **PG)
        connection.autocommit = True
        try:
            while self.running:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT application_name, count(*) FROM pg_stat_activity "
                        "WHERE datname IN (%s, %s) GROUP BY application_name",
                        [DB_NAME, LIMIT_DB_NAME],
                    )
                    for name, count in cursor.fetchall():
                        self.peaks[name] = max(self.peaks.get(name, 0), count)
                time.sleep(0.5)
        finally:
            connection.close()


def budgets(env: dict[str, str]) -> dict[str, str]:
    """deploy/README.md's budget per process, for the settings this run used."""
    web = int(env.get("WEB_WORKERS", "2"))
    asgi = int(env.get("ASGI_WORKERS", "1"))
    per_asgi = (
        int(env.get("SOCKET_DATABASE_THREADS", "6"))
        + int(env.get("ASGI_HTTP_CONCURRENCY", "4"))
        + 1
    )
    return {
        "peersupport-web": f"{web} (WEB_WORKERS x 1)",
        "peersupport-ws": f"{asgi * per_asgi} (ASGI_WORKERS x (SOCKET_DATABASE_THREADS"
        " + ASGI_HTTP_CONCURRENCY + 1))",
        "peersupport-tick": "1",
        "limit-app": "2 (2 workers x 1)",
    }


# --- the run ---------------------------------------------------------------------------


def http_bench(targets, cookie, args, connections, rounds, duration, json_path) -> dict:
    script = args.shared_bench / "http_bench.py"
    if not script.exists():
        sys.exit(f"missing {script} (../shared/bench/ beside the repository, or --shared-bench)")
    command = [sys.executable, str(script), "--base", "limit-tpl", "--rounds", str(rounds),
               "--duration", str(duration), "--connections", str(connections),
               "--threads", "1" if connections == 1 else "2", "--warmup", "2",
               "--quiet-max-wait", str(args.quiet_max_wait), "--json", str(json_path),
               "--cookie", f"sessionid={cookie}",
               "--auth", "^(threads|thread-100|directory|home-signed-in|help-signed-in)$",
               ]  # fmt: skip
    for name, url in targets:
        command += ["-t", f"{name}={url}"]
    subprocess.run(command, check=True)  # noqa: S603 - our own fixed command line
    return {row["name"]: row for row in json.loads(json_path.read_text())["rows"]}


def main(argv=None) -> None:
    args = parse_args(argv)
    args.shared_bench = args.shared_bench.resolve()
    for needed in ("http_bench.py", "wrk_json.lua", "limit_app/manage.py"):
        if not (args.shared_bench / needed).exists():
            sys.exit(
                f"missing {args.shared_bench / needed}: the shared benchmark helpers live in "
                "../shared/bench/ beside the repository (or pass --shared-bench)"
            )
    size = sizes(args.scale)
    env = app_env()
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE",
                                          "SECRET_KEY")})  # fmt: skip
    os.environ.setdefault("SMTP_HOST", "")
    sys.path.insert(0, str(BASE_DIR))
    if args.reseed or seeded_scale() != str(args.scale):
        print(f"seeding {DB_NAME}: {size}", flush=True)
        recreate_database(DB_NAME)
        migrate(env)
        seed(size, args.scale)
    else:
        print(f"{DB_NAME} is already seeded at scale {args.scale}", flush=True)
    if args.seed_only:
        return

    servers = Servers()
    sampler = ConnectionSampler()
    # Stopped with SIGTERM too, the servers it started stop with it (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    try:
        servers.start_shape(args.port)
        servers.start_limit_app(args.limit_port, args.shared_bench.resolve())
        cookie = sign_in(args.port)
        paths = targets_from_database()
        app = f"http://{HOST}:{args.port}"
        targets = [
            ("limit-tpl", f"http://{HOST}:{args.limit_port}/tpl"),
            ("threads", app + ",".join(paths["threads"])),
            ("thread-100", app + ",".join(paths["thread-100"])),
            ("directory", f"{app}/groups/"),
            ("home-signed-in", f"{app}/"),
            ("home-anonymous", f"{app}/"),
            # The same page for both: what being signed in costs.
            ("help-signed-in", f"{app}/help/"),
            ("help-anonymous", f"{app}/help/"),
        ]
        sampler.start()
        out = servers.log_dir
        wide = http_bench(targets, cookie, args, 32, args.rounds, args.duration,
                          out / "c32.json")  # fmt: skip
        narrow = http_bench(targets, cookie, args, 1, args.latency_rounds, args.duration,
                            out / "c1.json")  # fmt: skip
    finally:
        sampler.running = False
        servers.stop()

    print(f"\n# Page benchmark {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"scale {args.scale} ({size['members']} members, {size['groups']} groups, "
          f"{size['threads']} threads, {size['posts']} posts), load "
          f"{os.getloadavg()[0]:.1f}\n")  # fmt: skip
    print(
        "| page | req/s at 32 conns | % of ceiling (per-round median) "
        "| p50 ms at 1 conn | p99 ms at 32 conns | errors |"
    )
    print("|---|---|---|---|---|---|")
    for name, _url in targets:
        row, single = wide[name], narrow[name]
        print(f"| {name} | {row['rps_median']:.0f} | {row['pct_of_base']:.0f}% "
              f"({row['pct_of_base_median_of_rounds']:.0f}%) | {single['p50_ms']:.1f} | "
              f"{row['p99_ms']:.1f} | {row['errors'] + single['errors']} |")  # fmt: skip
    print("\n| process | peak connections | budget |\n|---|---|---|")
    for name, budget in budgets(env).items():
        print(f"| {name} | {sampler.peaks.get(name, 0)} | {budget} |")
    others = {k: v for k, v in sampler.peaks.items() if k not in budgets(env)}
    if others:
        print(f"\nother connections to the bench databases: {others}")
    print(f"\nlogs and wrk JSON: {servers.log_dir}")


if __name__ == "__main__":
    main()
