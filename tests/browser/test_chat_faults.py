"""Chat under faults, as a member sees it, in Chromium against a real daphne (real
Postgres, real Redis): the server goes away while a member writes twelve messages and
comes back on the same port; a member pastes 100,000 characters; a server that
accepts the socket and drops it at once, over and over.

Data is made in fixtures listed before ``people``; no ORM call runs while Playwright's
sync loop is alive (see test_chat_journeys.py)."""

import itertools
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest
from django.conf import settings
from playwright.sync_api import expect

from chat.models import MESSAGE_MAX_LENGTH
from tests.browser.conftest import _test_failed, assert_no_console_problems, log_in
from tests.browser.test_chat_journeys import RECONNECTING, message_bodies, pending, send
from tests.factories import add_member, make_group, make_user
from tests.servers import RestartableDaphne, free_port

pytestmark = pytest.mark.browser

BASE_DIR = Path(__file__).resolve().parents[2]
# chat.js waits at most 15 s between reconnection attempts.
RECONNECT_TIMEOUT = 25_000
PASTED = 100_000

# Every text the status and error lines show, recorded as it appears (a note can
# come and go between two looks). Injected through DevTools, so the page's CSP holds.
RECORD_TEXTS = """
window.seenTexts = [];
document.addEventListener("DOMContentLoaded", () => {
  const watched = ["chat-status", "chat-error", "chat-length"]
    .map((id) => document.getElementById(id)).filter(Boolean);
  const observer = new MutationObserver(() => {
    for (const element of watched) {
      if (element.textContent) { window.seenTexts.push(element.textContent); }
    }
  });
  for (const element of watched) {
    observer.observe(element, { childList: true, characterData: true, subtree: true });
  }
});
"""


# When the page makes each websocket and when each one closes (page clock, ms). The
# bell socket every signed-in page also opens is left out (tests/peersupport and the
# home journeys test it): these tests are about the chat's and the queue's.
TIME_SOCKETS = """
window.socketTimes = { created: [], closed: [] };
const PageWebSocket = window.WebSocket;
window.WebSocket = class extends PageWebSocket {
  constructor(...args) {
    super(...args);
    if (String(args[0]).includes("/ws/bell/")) {
      return;
    }
    window.socketTimes.created.push(performance.now());
    this.addEventListener("close", () => window.socketTimes.closed.push(performance.now()));
  }
};
"""


@dataclass(frozen=True)
class Member:
    email: str
    name: str
    group_slug: str
    leader_email: str
    leader_name: str

    @property
    def chat_path(self) -> str:
        return f"/groups/{self.group_slug}/chat/"


@pytest.fixture
def member(transactional_db) -> Member:
    leader = make_user(email="faults-leader@example.org", display_name="Harbour Light")
    person = make_user(email="faults-member@example.org", display_name="Night Owl")
    group = make_group(name="Late Shift", owner=leader)
    add_member(group, person, approved_post_count=group.held_posts_for_new_members)
    return Member(email=person.email, name=person.display_name, group_slug=group.slug,
                  leader_email=leader.email, leader_name=leader.display_name)  # fmt: skip


@pytest.fixture
def live_server_url(transactional_db, tmp_path, request):
    """In place of conftest's (which browser_page waits for): daphne on the test
    database, on a port that stays the same across restarts."""
    env = dict(os.environ)
    env.pop("SMTP_HOST", None)
    env.update({
        "DJANGO_SETTINGS_MODULE": "peersupport.settings.test",
        "TEST_DATABASE_NAME": settings.DATABASES["default"]["NAME"],
        "EMAIL_DIR": str(tmp_path / "email"),
        "CHANNELS_PREFIX": f"test-{uuid4().hex}",
        "PYTHONUNBUFFERED": "1",
    })  # fmt: skip
    daphne = RestartableDaphne(free_port(), env, BASE_DIR, tmp_path / "server.log")
    daphne.start()
    try:
        yield daphne
    finally:
        daphne.stop()
        if _test_failed(request.node):
            sys.stderr.write(f"\n--- daphne log (last lines) ---\n{daphne.log_tail()}\n")


class SocketWatch:
    """Every websocket the page opens (but its bell), and every chat frame it sends."""

    def __init__(self, page):
        self.opened: list[float] = []
        self.sent: list[dict] = []
        page.on("websocket", self._on_socket)

    def _on_socket(self, socket):
        if "/ws/bell/" in socket.url:
            return  # the page's bell, not the chat (see TIME_SOCKETS)
        self.opened.append(time.monotonic())
        socket.on("framesent", self._on_frame)

    def _on_frame(self, payload):
        if isinstance(payload, str):
            try:
                self.sent.append(json.loads(payload))
            except ValueError:
                self.sent.append({"type": "<not json>"})

    def sends(self) -> list[dict]:
        return [frame for frame in self.sent if frame.get("type") == "send"]


def refused_while_down(base: str, path: str) -> re.Pattern:
    ws_url = base.replace("http://", "ws://", 1) + path
    return re.compile(
        rf"console\.error: WebSocket connection to '{re.escape(ws_url)}' failed: "
        r".*(ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE).*"
    )


def open_chat(page, base: str, data: Member) -> None:
    page.add_init_script(RECORD_TEXTS)
    log_in(page, base, data.email, data.name, data.chat_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Group chat")


# --- (a) twelve messages written while the server is down ---------------------------


def test_twelve_messages_written_during_an_outage_all_arrive_once_and_in_order(
    member, people, live_server_url
):
    server = live_server_url
    base = server.url
    page = people("member")
    watch = SocketWatch(page)
    open_chat(page, base, member)
    send(page, "Evening. Checking in before the night gets long.")
    expect(pending(page)).to_have_count(0)
    written = [f"Line {n} of what I wrote on the train: still sober, day {40 + n}." for n in
               range(1, 13)]  # fmt: skip

    # The server goes away; the member keeps writing.
    server.stop()
    expect(page.locator("#chat-status")).to_have_text(RECONNECTING)
    for text in written:
        send(page, text)
    expect(pending(page)).to_have_count(12)

    # It comes back on the same port: everything goes, once, in order.
    server.start()
    expect(pending(page)).to_have_count(0, timeout=RECONNECT_TIMEOUT)
    everything = ["Evening. Checking in before the night gets long.", *written]
    assert message_bodies(page) == everything
    expect(page.get_by_label("Your message")).to_have_value("")
    # They were offered in the order they were written (a refused one again later).
    offered = [frame["body"] for frame in watch.sends() if frame["body"] in written]
    assert list(dict.fromkeys(offered)) == written
    # Nothing was ever said to be "still in the box" while it was thrown away.
    seen = page.evaluate("window.seenTexts")
    assert not [text for text in seen if "still in the box" in text], seen

    # What is stored agrees: a fresh page shows each of them exactly once, in order.
    fresh = people("fresh look")
    log_in(fresh, base, member.email, member.name, member.chat_path)
    assert message_bodies(fresh) == everything

    problems = [p for p in page.console_problems
                if not refused_while_down(base, f"/ws{member.chat_path}").match(p)
                and not refused_while_down(base, "/ws/bell/").match(p)]  # fmt: skip
    page.console_problems[:] = problems
    assert_no_console_problems(page, fresh)


# --- (b) a pasted message far over the limit ------------------------------------------


def test_a_pasted_100_000_character_message_is_refused_before_sending_and_kept(
    member, people, live_server_url
):
    server = live_server_url
    base = server.url
    page = people("member")
    watch = SocketWatch(page)
    open_chat(page, base, member)
    box = page.get_by_label("Your message")
    send_button = page.get_by_role("button", name="Too long to send")
    pasted = "I need to get all of this out. " * (PASTED // 31) + "x" * (PASTED % 31)
    assert len(pasted) == PASTED

    box.fill(pasted)

    # Before anything is sent, the page says it is too long and the button says why.
    length_line = page.locator("#chat-length")
    expect(length_line).to_contain_text("100,000 characters")
    expect(length_line).to_contain_text(f"{MESSAGE_MAX_LENGTH:,}")
    expect(send_button).to_be_disabled()  # aria-disabled: it can still be focused
    box.press("Enter")
    send_button.click(force=True)  # a click does nothing but say why, again
    expect(page.locator("#chat-error")).to_contain_text("100,000 characters")
    expect(page.locator("#chat-error")).to_contain_text("still in the box")
    expect(box).to_have_value(pasted.strip())
    expect(pending(page)).to_have_count(0)
    page.wait_for_timeout(2000)
    assert watch.sends() == [], "an over-long message was sent"
    assert len(watch.opened) == 1, f"the page opened {len(watch.opened)} sockets"

    # Shortened, it goes, and the button says "Send" again.
    box.fill("Shorter: I'm struggling tonight, but I'm here.")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
    expect(length_line).to_have_text("")
    box.press("Enter")
    expect(pending(page)).to_have_count(0)
    assert message_bodies(page) == ["Shorter: I'm struggling tonight, but I'm here."]
    assert_no_console_problems(page)


def test_when_the_page_check_is_bypassed_the_server_refuses_and_nothing_loops(
    member, people, live_server_url
):
    """The page's limits moved out of the way: a 30,000-character message reaches
    the chat (over its 16 KiB frame limit, under the server's) and is answered with an
    error; a 100,000-character one is over what daphne reads at all, so daphne cuts
    the connection. Either way the text comes back to the box with the reason, and
    nothing loops."""
    server = live_server_url
    base = server.url
    page = people("member")
    watch = SocketWatch(page)

    # The limits rewritten as the page is parsed, before chat.js (deferred) reads them.
    # (Rewriting the response with page.route instead makes Chromium treat the page
    # as foreign and block its socket to 127.0.0.1.)
    page.add_init_script("""
      new MutationObserver((changes, observer) => {
        const chat = document.getElementById("chat");
        if (chat) {
          chat.dataset.maxLength = "100000000";
          chat.dataset.maxFrameBytes = "100000000";
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    """)
    open_chat(page, base, member)
    box = page.get_by_label("Your message")
    error_line = page.locator("#chat-error")

    # 30,000 characters: answered by the chat with an error frame, sent once, no
    # reconnection. 100,000: daphne cuts the connection (Chromium sees 1006, not
    # 1009, so it looks like a network drop): sent once more after reconnecting, and
    # after the second cut it is given back, not sent a third time.
    cases = [(30_000, "30,000", 1, 1), (PASTED, "the connection broke each time", 2, 3)]
    for length, said, times_sent, opens in cases:
        box.fill("y" * length)
        box.press("Enter")
        expect(error_line).to_contain_text(said, timeout=RECONNECT_TIMEOUT)
        expect(error_line).to_contain_text("back in the box" if length == PASTED else "still in")
        expect(box).to_have_value("y" * length)
        expect(pending(page)).to_have_count(0)
        page.wait_for_timeout(3000)
        sent = [frame for frame in watch.sends() if len(frame["body"]) == length]
        assert len(sent) == times_sent, f"{length:,} characters were sent {len(sent)} times"
        assert len(watch.opened) == opens, f"the page opened {len(watch.opened)} sockets"
        box.fill("")

    # The chat still works afterwards.
    send(page, "Sorry, too much at once. Short version: rough night.")
    expect(pending(page)).to_have_count(0, timeout=RECONNECT_TIMEOUT)
    assert message_bodies(page) == ["Sorry, too much at once. Short version: rough night."]


# --- (c) a server that drops every socket at once ---------------------------------------


def test_reconnection_waits_longer_each_time_a_socket_is_dropped_at_once(
    member, people, live_server_url
):
    """The real server greets the socket, then the connection is cut at once, every
    time (as a crashing app or a bad proxy would do): the waits between attempts
    must grow, not restart from the shortest on every open."""
    server = live_server_url
    base = server.url
    page = people("member")

    def drop_after_hello(ws):
        upstream = ws.connect_to_server()

        def on_server_frame(message):
            ws.send(message)
            ws.close(code=1011, reason="going away")

        upstream.on_message(on_server_frame)

    page.route_web_socket(re.compile(r".*/ws/.*"), drop_after_hello)
    page.add_init_script(TIME_SOCKETS)
    open_chat(page, base, member)
    expect(page.locator("#chat-status")).to_have_text(RECONNECTING)
    assert_reconnection_waits_grow(page, third_at_least=1.9)  # it was 0.5-1 s


def test_the_queue_page_also_waits_longer_each_time_its_socket_is_dropped(
    member, people, live_server_url
):
    """The moderation queue's doorbell socket had the same reset on every open."""
    base = live_server_url.url
    page = people("leader")

    def drop_at_once(ws):
        ws.connect_to_server()
        ws.send(json.dumps({"type": "hello"}))  # the page has seen it open
        ws.close(code=1011, reason="going away")

    page.route_web_socket(re.compile(r".*/ws/.*"), drop_at_once)
    page.add_init_script(TIME_SOCKETS)
    log_in(page, base, member.leader_email, member.leader_name, "/moderation/")
    assert_reconnection_waits_grow(page, third_at_least=3.9)  # it was 1-2 s


def assert_reconnection_waits_grow(page, third_at_least: float) -> None:
    deadline = time.monotonic() + 25
    while page.evaluate("window.socketTimes.created.length") < 4:
        assert time.monotonic() < deadline, page.evaluate("window.socketTimes")
        page.wait_for_timeout(200)
    # How long the page waited after each close before making the next socket.
    times = page.evaluate("window.socketTimes")
    pairs = zip(times["closed"], times["created"][1:], strict=False)
    waits = [(created - closed) / 1000 for closed, created in pairs]
    assert len(waits) >= 3, times
    # Each wait is at least the one before (jitter is at most half a doubling). It
    # used to be the first wait every time, because every open started over.
    assert all(later >= earlier - 0.05 for earlier, later in itertools.pairwise(waits)), (
        f"the waits did not grow: {waits}"
    )
    assert waits[2] >= third_at_least, f"the third wait was {waits[2]:.2f} s: {waits}"


# --- the other half of a database or Redis fault: "unavailable" -------------------------


def test_a_message_the_server_could_not_save_stays_queued_and_is_sent_when_it_can(
    member, people, live_server_url
):
    """When the database or Redis fails, the server answers a send with an error
    coded "unavailable" and a retry_after, and keeps the socket open. Here the first
    two tries of one message get that answer (the route stands in for the fault; the
    real server answers the third): the message stays in the outbox with a calm note,
    is tried again after the wait, and arrives once."""
    base = live_server_url.url
    page = people("member")
    refused: list[str] = []

    def unavailable_twice(ws):
        upstream = ws.connect_to_server()

        def from_page(message):
            frame = json.loads(message)
            if frame.get("type") == "send" and len(refused) < 2:
                refused.append(frame["client_msg_id"])
                ws.send(json.dumps({
                    "type": "error", "code": "unavailable", "retry_after": 1,
                    "client_msg_id": frame["client_msg_id"],
                    "message": "We couldn't save that just now. We'll try again.",
                }))  # fmt: skip
                return
            upstream.send(message)

        ws.on_message(from_page)

    page.route_web_socket(re.compile(r".*/ws/.*"), unavailable_twice)
    open_chat(page, base, member)
    text = "Rough evening, but I went to my meeting."

    send(page, text)

    expect(pending(page)).to_contain_text("not saved yet, trying again")
    expect(page.locator("#chat-status")).to_contain_text("we'll keep trying")
    expect(page.locator("#chat-error")).to_have_text("")
    expect(page.get_by_label("Your message")).to_have_value("")
    expect(pending(page)).to_have_count(0, timeout=15_000)
    assert message_bodies(page) == [text]
    assert len(refused) == 2 and refused[0] == refused[1], refused
    expect(page.locator("#chat-status")).not_to_contain_text("keep trying")
    fresh = people("fresh look")
    log_in(fresh, base, member.email, member.name, member.chat_path)
    assert message_bodies(fresh) == [text]
    assert_no_console_problems(page, fresh)
