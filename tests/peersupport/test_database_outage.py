"""A real server (gunicorn, production settings, DEBUG off) on a PostgreSQL of the
test's own: while the database refuses writes, and while it is down, pages show the
site's own kind 503 page with the crisis help link, the login form says plainly that
nobody can sign in just now (never a bare 429 or 500), and once the database is back
everything works again."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.faults import Browser, fresh_database, wait_until
from tests.servers import free_port, server_is_ready, stop

BASE_DIR = Path(__file__).resolve().parents[2]
EMAIL, PASSWORD = "steady.harbor@example.org", "a-long-test-password-1"
HELP_LINK = 'href="/help/">Get help now</a>'
CANT_SIGN_IN = "We can't sign you in right now; please try again in a few minutes."
TROUBLE = "We're having trouble right now"
START_TIMEOUT = 30
# The server's database copies the test database's tables, so that must exist.
pytestmark = pytest.mark.django_db


def _server_env(database_url: str, static_root: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SMTP_")}
    env.pop("TEST_DATABASE_NAME", None)
    env.update({
        "DJANGO_SETTINGS_MODULE": "peersupport.settings.production",
        "SECRET_KEY": "fault-test-only-not-a-secret",
        "RECOVERY_ENCRYPTION_KEYS": "fDGIL7m6W0Qm4ahkKJKO3T6OqH4eXDJSyCoMRMKvTnM=",
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        # Production insists on a mail server; nothing here sends mail.
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "1",
        "STATIC_ROOT": str(static_root),
        "PYTHONUNBUFFERED": "1",
    })  # fmt: skip
    return env


def _run_django(env: dict, code: str) -> None:
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                            cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def outage_world(own_postgres, tmp_path_factory):
    """A database of our own cluster (the test database's tables) with one member, and
    gunicorn serving the app on it as production does."""
    cluster = own_postgres
    dbname = fresh_database(cluster)
    workdir = tmp_path_factory.mktemp("outage")
    env = _server_env(cluster.url(dbname), workdir / "static")
    # One process for both: the member is made under the server's settings (so the
    # password hash is production's), and production serves collected static files.
    _run_django(env, "from django.core.management import call_command; "
                "from tests.factories import make_user; "
                f"make_user(email={EMAIL!r}, password={PASSWORD!r}, "
                "display_name='Steady Harbor'); "
                "call_command('collectstatic', interactive=False, verbosity=0)")  # fmt: skip
    port = free_port()
    log_path = workdir / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1",
             "--timeout", "30", "--graceful-timeout", "1", "--no-control-socket",
             "peersupport.wsgi"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: server_is_ready(port) or process.poll() is not None,
                   seconds=START_TIMEOUT, what="gunicorn to serve /help/")  # fmt: skip
        assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
        yield cluster, dbname, port, log_path
    finally:
        stop(process)


def _log_in(browser: Browser, password: str = PASSWORD):
    browser.get("/accounts/login/")
    return browser.post("/accounts/login/", {"login": EMAIL, "password": password})


def _assert_kind_outage_page(response, *, login: bool = False) -> None:
    assert response.status == 503, (response.status, response.text[:800])
    assert HELP_LINK in response.text
    assert "Too Many Requests" not in response.text
    assert (CANT_SIGN_IN if login else TROUBLE) in response.text
    assert response.headers["Retry-After"]


def test_pages_and_login_stay_kind_while_the_database_refuses_writes_or_is_down(
    outage_world,
):
    cluster, dbname, port, log_path = outage_world
    member, visitor = Browser(port), Browser(port)
    try:
        # All well: the member signs in.
        assert _log_in(member).status == 302
        assert "Log out" in member.get("/").text

        # Writes refused (a failover): reading still works, signing in does not.
        cluster.refuse_writes(dbname)
        assert "Log out" in member.get("/").text
        started = time.monotonic()
        response = _log_in(visitor)
        _assert_kind_outage_page(response, login=True)
        assert f'value="{EMAIL}"' in response.text  # what they typed is still there
        assert time.monotonic() - started < 5
        # A form that must write shows back what was typed.
        response = member.post("/accounts/logout/", {"note": "Please keep this."})
        _assert_kind_outage_page(response)
        assert "Please keep this." in response.text

        cluster.refuse_writes(dbname, False)
        assert _log_in(visitor).status == 302
        assert "Log out" in visitor.get("/").text

        # The database is down.
        cluster.stop()
        for path in ("/", "/groups/", "/account/settings/"):
            _assert_kind_outage_page(member.get(path))
        _assert_kind_outage_page(_log_in(Browser(port)), login=True)
        # Crisis help and the error pages still work for someone signed in.
        help_page = member.get("/help/")
        assert help_page.status == 200
        assert "988" in help_page.text
        not_found = member.get("/no-such-page/")
        assert not_found.status == 404
        assert HELP_LINK in not_found.text
        expired = member.request("POST", "/accounts/logout/", {"csrfmiddlewaretoken": "x"})
        assert expired.status == 403
        assert "This form has expired" in expired.text
        assert HELP_LINK in expired.text
        bad_host = member.get("/", headers={"Host": "elsewhere.example"})
        assert bad_host.status == 400
        assert HELP_LINK in bad_host.text

        # Back again: everything works, nobody was signed out.
        cluster.start()
        assert "Log out" in member.get("/").text
        assert _log_in(Browser(port)).status == 302
    except BaseException:
        sys.stderr.write(log_path.read_text(errors="replace")[-5000:])
        raise
