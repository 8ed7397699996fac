"""Browser-test fixtures: a real daphne server on the test database, and Debian's
Chromium driven by Playwright's sync API.

Two rules keep these reliable (docs: ../shared/research/stack-spike.md, pitfalls 7-9, 12):

* The server is another process. It shares nothing with the test process but the
  test database (by name), so mail goes to files in ``EMAIL_DIR`` and is read back
  from there, never from the ORM or ``mailoutbox``.
* Playwright's sync API runs an asyncio loop in this thread, so no ORM call may run
  while it is alive. ``browser_page`` depends on ``live_server_url`` and is therefore
  torn down first, before ``transactional_db`` flushes the database.
"""

import email
import email.policy
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from uuid import uuid4

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.servers import daphne_command, free_port, log_tail, server_is_ready, stop

BASE_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = BASE_DIR / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT = 20.0
# Django's filebased backend ends every message with b"\n" + 79 dashes + b"\n".
EMAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# --- test outcome on the item, for teardown (the standard pytest recipe) -------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _test_failed(node) -> bool:
    return any(
        getattr(getattr(node, f"rep_{when}", None), "failed", False) for when in ("setup", "call")
    )


# --- the live ASGI server ------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    url: str
    email_dir: Path
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        return log_tail(self.log_path, lines)


@pytest.fixture
def live_server_url(transactional_db, tmp_path, request):
    """daphne serving ``peersupport.asgi:application`` on the test database, exactly as
    in production. Yields an object with ``.url`` (no trailing slash) and
    ``.email_dir`` (where the server writes its mail)."""
    email_dir = tmp_path / "email"
    email_dir.mkdir()
    log_path = tmp_path / "server.log"
    port = free_port()
    server = LiveServer(url=f"http://127.0.0.1:{port}", email_dir=email_dir, log_path=log_path)

    env = dict(os.environ)
    env.pop("SMTP_HOST", None)  # mail must go to EMAIL_DIR
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "peersupport.settings.test",
            # By now this is already the test database's name (e.g. test_peersupport).
            "TEST_DATABASE_NAME": settings.DATABASES["default"]["NAME"],
            "EMAIL_DIR": str(email_dir),
            "CHANNELS_PREFIX": f"test-{uuid4().hex}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    command = daphne_command(port)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not server_is_ready(port):
            if process.poll() is not None:
                pytest.fail(
                    f"daphne exited with code {process.returncode} before serving /help/:\n"
                    f"{server.log_tail()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"daphne did not serve /help/ with 200 within {SERVER_START_TIMEOUT:.0f} s:\n"
                    f"{server.log_tail()}"
                )
            time.sleep(0.1)
        yield server
    finally:
        stop(process)
        if _test_failed(request.node):
            sys.stderr.write(f"\n--- daphne log (last lines) ---\n{server.log_tail()}\n")


# --- the browser -----------------------------------------------------------------


def _console_problem_recorder(problems: list[str]):
    def on_console(message):
        if message.type == "error" or "Content Security Policy" in message.text:
            location = message.location or {}
            where = location.get("url", "")
            problems.append(f"console.{message.type}: {message.text} ({where})")

    def on_page_error(error):
        problems.append(f"pageerror: {error}")

    return on_console, on_page_error


@pytest.fixture
def browser_page(live_server_url, request):
    """A fresh Chromium page. ``page.console_problems`` lists every console error, CSP
    report and uncaught page error seen so far. On failure a full-page screenshot goes
    to ``test-artifacts/<test name>.png``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.console_problems = []
            on_console, on_page_error = _console_problem_recorder(page.console_problems)
            page.on("console", on_console)
            page.on("pageerror", on_page_error)
            yield page
            if _test_failed(request.node):
                ARTIFACTS_DIR.mkdir(exist_ok=True)
                name = re.sub(r"[^\w.-]+", "_", request.node.name)
                try:
                    page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
                except Exception as error:  # a screenshot must not hide the real failure
                    sys.stderr.write(f"could not save a screenshot: {error}\n")
            context.close()
        finally:
            browser.close()


# --- mail written by the server ------------------------------------------------------


def read_emails(email_dir: Path) -> list[EmailMessage]:
    """Every message the server has sent so far, oldest first."""
    messages = []
    files = sorted(Path(email_dir).glob("*.log"), key=lambda path: (path.stat().st_mtime, path))
    for path in files:
        for chunk in path.read_bytes().split(EMAIL_SEPARATOR):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def wait_for_emails(email_dir: Path, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
    deadline = time.monotonic() + timeout
    while True:
        messages = read_emails(email_dir)
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.1)


def message_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    return body.get_content() if body is not None else ""


def confirmation_link(message: EmailMessage) -> str:
    """The first http(s) URL in the message that contains /accounts/confirm-email/."""
    for url in re.findall(r"https?://[^\s<>\"']+", message_text(message)):
        if "/accounts/confirm-email/" in url:
            return url.rstrip(".,;:)")
    raise AssertionError(
        f"no /accounts/confirm-email/ link in the message:\n{message_text(message)}"
    )


# --- accessibility ---------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.x A and AA rules) on the page as it is now.

    axe is injected with ``page.evaluate``, which runs through the DevTools protocol
    and is not subject to the page's Content Security Policy, so the site's strict
    CSP stays on (no ``bypass_csp``) and still reports real violations.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": AXE_WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    return results.response["violations"]


def assert_no_axe_violations(page, url: str | None = None) -> None:
    """Fail, listing rule ids and the offending elements, if axe finds WCAG 2.x A/AA
    violations. With ``url``, open it first; otherwise check the page as it is (for
    example a form showing its errors)."""
    if url is not None:
        page.goto(url)
    violations = axe_violations(page)
    if violations:
        lines = [f"axe found {len(violations)} WCAG violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(
                f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
                f" [{violation.get('helpUrl', '')}]"
            )
            for node in violation["nodes"]:
                target = " ".join(str(part) for part in node["target"])
                lines.append(f"    {target}: {node.get('html', '')[:200]}")
                summary = node.get("failureSummary")
                if summary:
                    lines.append("      " + summary.replace("\n", "\n      "))
        pytest.fail("\n".join(lines), pytrace=False)


# Journeys with several people: one browser context each, and the real login form.


@pytest.fixture
def people(browser_page, request):
    """``people(label)`` opens a new page in its own browser context (its own cookies:
    another person at another computer) on the browser of ``browser_page``. Each page
    records console problems in ``page.console_problems`` like ``browser_page``; on
    failure every page is saved to ``test-artifacts/<test>-<label>.png``."""
    browser = browser_page.context.browser
    opened = []

    def open_page(label: str):
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.console_problems = []
        on_console, on_page_error = _console_problem_recorder(page.console_problems)
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        opened.append((label, context, page))
        return page

    yield open_page

    failed = _test_failed(request.node)
    for label, context, page in opened:
        if failed:
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", f"{request.node.name}-{label}")
            try:
                page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
            except Exception as error:  # a screenshot must not hide the real failure
                sys.stderr.write(f"could not save a screenshot: {error}\n")
        context.close()


def log_in(page, base_url: str, email: str, display_name: str, path: str = "/") -> None:
    """Log in through the real login form, then open ``path``."""
    page.goto(f"{base_url}/accounts/login/")
    fill_login_form(page, email)
    expect(page.get_by_text(f"Welcome back, {display_name}.")).to_be_visible()
    page.goto(f"{base_url}{path}")


def fill_login_form(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In", exact=True).click()


def failed_load(url: str, status: str) -> str:
    """The console problem Chromium records when a document answers with an error."""
    return (
        "console.error: Failed to load resource: "
        f"the server responded with a status of {status} ({url})"
    )


def assert_no_console_problems(*pages, expected: tuple[str, ...] = ()) -> None:
    """No page saw a console error, CSP report or uncaught error, apart from the
    ``expected`` entries (exact strings, as the recorder writes them)."""
    problems = [
        problem for page in pages for problem in page.console_problems if problem not in expected
    ]
    assert problems == [], "\n".join(problems)
