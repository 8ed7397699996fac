"""Where a page's time goes, in one process: time, queries and a cProfile summary.

    .venv/bin/python bench/profile_pages.py                 # every page, 200 requests
    .venv/bin/python bench/profile_pages.py threads -n 500 --profile

Runs against `peersupport_bench` as bench/pages.py seeded it, with the production
settings on loopback (peersupport.settings.loopback), through Django's test client
(the full middleware stack, no server): the bench reader signed in, or anonymous for
the `-anonymous` pages. Prints the mean time per request, the queries per request and,
with --profile, the functions that cost most. For finding what to change; the numbers
to compare across changes come from bench/pages.py.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.pages import BENCH_EMAIL, app_env  # noqa: E402 - needs the path above

PAGES = {
    "threads": "/groups/circle-1/threads/",
    "thread-100": "/groups/circle-1/threads/1/",
    "directory": "/groups/",
    "home-signed-in": "/",
    "home-anonymous": "/",
    "help-signed-in": "/help/",
    "help-anonymous": "/help/",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", default=list(PAGES))
    parser.add_argument("-n", type=int, default=200, help="requests per page")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    # The page benchmark's environment: its database, production settings, its keys.
    for name, value in app_env().items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    reader = User.objects.get(email=BENCH_EMAIL)
    for name in args.pages:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_REAL_IP="127.0.0.1")
        if not name.endswith("-anonymous"):
            client.force_login(reader)
        url = PAGES[name]
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        queries = []

        def record(execute, sql, params, many, context, queries=queries):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append((time.perf_counter() - started, sql))

        with connection.execute_wrapper(record):
            client.get(url)
        started = time.perf_counter()
        for _ in range(args.n):
            client.get(url)
        per_request = (time.perf_counter() - started) / args.n * 1000
        print(f"{name:16} {per_request:6.2f} ms  {len(queries):3} queries  "
              f"{len(response.content):6} bytes")  # fmt: skip
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.n):
                client.get(url)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
        if os.environ.get("SHOW_QUERIES"):
            for seconds, sql in queries:
                print(f"    {seconds * 1000:5.2f} ms", sql[:250])


if __name__ == "__main__":
    main()
