"""Live group chat in a real browser against a real server (daphne, with the Redis
channel layer), with several people at several computers: two members chat, one of
them loses the network, misses messages and writes one while offline, and catches up
without duplicates when the network comes back; a peer leader deletes a message and
everyone sees the tombstone at once; and a member muted from the moderation queue sees
their composer close while the chat is open.

Data is made with the ORM and the services in fixtures that every test lists *before*
``people`` (see test_thread_journeys.py): no ORM call may run once Playwright's sync
loop is alive. The fixtures hand the tests plain strings, never model instances.
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from chat import services as chat_services
from groups.models import Report
from tests.browser.conftest import (
    assert_no_axe_violations,
    assert_no_console_problems,
    log_in,
)
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.browser

TOMBSTONE = "Message removed by a peer leader."
RECONNECTING = "Reconnecting… Your messages are kept and will be sent."
# After the network comes back, chat.js reconnects on its next backoff tick (up to
# 15 s after several failed attempts; it does not listen for the browser's "online").
RECONNECT_TIMEOUT = 25_000


def chat_log(page):
    return page.get_by_role("log", name="Messages")


def chat_item(page, text: str):
    """The chat's list items that contain ``text``."""
    return chat_log(page).get_by_role("listitem").filter(has_text=text)


def message_bodies(page) -> list[str]:
    """The text of every message in the log, top to bottom (day separators left out)."""
    return page.locator("#chat-log .chat-message .chat-message__body").all_inner_texts()


def pending(page):
    """Messages still in this page's outbox (shown with "(sending…)")."""
    return page.locator("#chat-log .chat-message--pending")


def send(page, text: str) -> None:
    """Type a message and press Enter, as a member would."""
    box = page.get_by_label("Your message")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def mark_page(page) -> None:
    """A mark on this very document: it survives only if the page is never reloaded."""
    page.evaluate("window.stillTheSamePage = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.stillTheSamePage === true"), f"{page.url} was reloaded"


def drop_open_websockets(page) -> list[int]:
    """Cut the page's open websockets, as a lost network would.

    What really happens here (Debian Chromium 156, Playwright 1.65, daphne on
    127.0.0.1), found by trying:

    * ``context.set_offline(True)`` makes every *new* connection fail (Chromium logs
      "net::ERR_INTERNET_DISCONNECTED"), but a websocket that is already open stays
      open: Chromium only holds its frames, both ways, and delivers them when the
      context goes back online. The page never learns it was offline, so it would
      neither show "Reconnecting…" nor keep anything in its outbox.
    * ``page.evaluate("window.stop()")`` does not close it either, and ``page.route``
      does not intercept websockets (Playwright's docs). ``page.route_web_socket``
      would put Playwright's own socket in place of the browser's, which set_offline
      then no longer governs.
    * What works: find the page's real WebSocket objects through the DevTools protocol
      (``Runtime.queryObjects`` on ``WebSocket.prototype``, what DevTools'
      ``queryObjects()`` does; chat.js keeps its socket private) and close them. The
      close event fires at once even while offline; chat.js says "Reconnecting…" and
      retries with backoff, each retry refused by the offline context, until
      ``set_offline(False)`` lets the next one through.

    Returns the readyState each socket had before closing (1 is OPEN).
    """
    cdp = page.context.new_cdp_session(page)
    try:
        prototype = cdp.send("Runtime.evaluate", {"expression": "WebSocket.prototype"})
        sockets = cdp.send(
            "Runtime.queryObjects", {"prototypeObjectId": prototype["result"]["objectId"]}
        )
        result = cdp.send(
            "Runtime.callFunctionOn",
            {
                "objectId": sockets["objects"]["objectId"],
                "functionDeclaration": (
                    "function () {"
                    "  const states = this.map((socket) => socket.readyState);"
                    "  this.forEach((socket) => socket.close());"
                    "  return states;"
                    "}"
                ),
                "returnByValue": True,
            },
        )
    finally:
        cdp.detach()
    return result["result"]["value"]


def offline_socket_error(base: str, socket_path: str, script: str = "chat.js") -> str:
    """What Chromium logs for each reconnection attempt refused while offline."""
    ws_url = base.replace("http://", "ws://", 1) + socket_path
    return (
        f"console.error: WebSocket connection to '{ws_url}' failed: "
        "Error in connection establishment: net::ERR_INTERNET_DISCONNECTED "
        f"({base}/static/js/{script})"
    )


# --- 1. two members chat live; one drops offline and catches up; a leader deletes ----


@dataclass(frozen=True)
class ChatJourney:
    first_email: str
    first_name: str
    second_email: str
    second_name: str
    leader_email: str
    leader_name: str
    group_name: str
    group_slug: str


@pytest.fixture
def chat_journey(transactional_db) -> ChatJourney:
    leader = make_user(email="chat-leader@example.org", display_name="Lantern Keeper")
    first = make_user(email="morning-tide@example.org", display_name="Morning Tide")
    second = make_user(email="still-water@example.org", display_name="Still Water")
    group = make_group(name="Evening Circle", owner=leader)
    settled = group.held_posts_for_new_members
    for member in (first, second):
        add_member(group, member, approved_post_count=settled)
    return ChatJourney(
        first_email=first.email,
        first_name=first.display_name,
        second_email=second.email,
        second_name=second.display_name,
        leader_email=leader.email,
        leader_name=leader.display_name,
        group_name=group.name,
        group_slug=group.slug,
    )


def test_two_members_chat_one_goes_offline_catches_up_and_a_leader_deletes_a_message(
    chat_journey, people, live_server_url
):
    data = chat_journey
    base = live_server_url.url
    chat_path = f"/groups/{data.group_slug}/chat/"
    hello = "Morning all. Day 12 without a drink, and the anxiety is loud today."
    answer = "Day 12 is big. Loud anxiety passes; what helps you ride it out?"
    missed = [
        "I go for a walk before the craving peaks.",
        "Cold water on my face helps too. It resets me.",
        "And texting someone here, like now.",
    ]
    from_offline = "Sorry, my train went into a tunnel. A walk sounds right, thank you."

    # 1. Morning Tide opens the group chat from the group's page; Still Water joins.
    first = people("first member")
    log_in(first, base, data.first_email, data.first_name, f"/groups/{data.group_slug}/")
    first.get_by_role("main").get_by_role("link", name="Group chat", exact=True).click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Group chat")
    expect(chat_log(first)).to_contain_text("No messages yet. Say hello when you're ready.")
    second = people("second member")
    log_in(second, base, data.second_email, data.second_name, chat_path)
    expect(second.get_by_role("heading", level=1)).to_have_text("Group chat")
    mark_page(first)
    mark_page(second)

    # 2. Morning Tide says hello with Enter; Still Water sees it without reloading.
    send(first, hello)
    expect(chat_item(second, hello)).to_have_count(1)
    expect(chat_item(second, hello)).to_contain_text(data.first_name)
    expect(chat_item(first, hello)).to_have_count(1)
    expect(pending(first)).to_have_count(0)

    # Still Water answers; Morning Tide sees it live too.
    send(second, answer)
    expect(chat_item(first, answer)).to_have_count(1)
    expect(chat_item(first, answer)).to_contain_text(data.second_name)
    expect(pending(second)).to_have_count(0)

    # 3. Morning Tide loses the network (see drop_open_websockets for why both steps).
    first.context.set_offline(True)
    assert 1 in drop_open_websockets(first), "the chat page had no open websocket"
    status = first.get_by_role("status").filter(has_text="Reconnecting")
    expect(first.locator("#chat-status")).to_have_text(RECONNECTING)
    expect(status).to_have_count(1)

    # Still Water writes three messages meanwhile; each is saved (no longer pending).
    for text in missed:
        send(second, text)
    for text in missed:
        expect(chat_item(second, text)).to_have_count(1)
    expect(pending(second)).to_have_count(0)

    # Morning Tide sees none of them, and is told the chat is reconnecting.
    for text in missed:
        expect(chat_item(first, text)).to_have_count(0)
    expect(first.locator("#chat-status")).to_have_text(RECONNECTING)

    # Morning Tide writes anyway: the message waits in the outbox, marked as sending,
    # through at least one more refused reconnection attempt.
    with first.expect_event(
        "console",
        predicate=lambda message: "ERR_INTERNET_DISCONNECTED" in message.text,
        timeout=RECONNECT_TIMEOUT,
    ):
        send(first, from_offline)
        expect(pending(first)).to_have_count(1)
        expect(pending(first)).to_contain_text(from_offline)
        expect(pending(first)).to_contain_text("(sending…)")
    expect(pending(first)).to_have_count(1)
    expect(first.locator("#chat-status")).to_have_text(RECONNECTING)
    expect(chat_item(second, from_offline)).to_have_count(0)

    # 4. The network is back: Morning Tide catches up, each message exactly once and
    # in order, and the message from the outbox is delivered, once.
    first.context.set_offline(False)
    expect(first.locator("#chat-status")).to_have_text("", timeout=RECONNECT_TIMEOUT)
    expect(pending(first)).to_have_count(0, timeout=RECONNECT_TIMEOUT)
    for text in [hello, answer, *missed, from_offline]:
        expect(chat_item(first, text)).to_have_count(1)
    expect(chat_item(first, from_offline)).to_contain_text(data.first_name)
    expect(chat_item(first, from_offline)).not_to_contain_text("(sending…)")
    expect(chat_item(second, from_offline)).to_have_count(1)
    expect(chat_item(second, from_offline)).to_contain_text(data.first_name)
    everything = [hello, answer, *missed, from_offline]
    assert message_bodies(first) == everything
    assert message_bodies(second) == everything

    # 5. A peer leader opens the chat and deletes one of Still Water's messages.
    leader = people("leader")
    log_in(leader, base, data.leader_email, data.leader_name, chat_path)
    expect(leader.get_by_role("heading", level=1)).to_have_text("Group chat")
    expect(chat_item(leader, missed[1])).to_have_count(1)
    chat_item(leader, missed[1]).get_by_role(
        "button", name=f"Delete message from {data.second_name}", exact=True
    ).click()
    expect(chat_item(leader, TOMBSTONE)).to_have_count(1)
    expect(chat_log(leader)).not_to_contain_text(missed[1])

    # Both members see the tombstone in its place, without reloading.
    removed = [hello, answer, missed[0], TOMBSTONE, missed[2], from_offline]
    for page in (first, second):
        expect(chat_item(page, TOMBSTONE)).to_have_count(1)
        expect(chat_item(page, TOMBSTONE)).to_contain_text(data.second_name)
        expect(chat_log(page)).not_to_contain_text(missed[1])
        assert message_bodies(page) == removed
        assert_not_reloaded(page)
    # Nobody can act on a removed message any more.
    expect(
        chat_item(first, TOMBSTONE).get_by_role("link", name=re.compile("Report"))
    ).to_have_count(0)

    assert_no_console_problems(
        first,
        second,
        leader,
        # Every reconnection attempt while Morning Tide's context is offline is refused
        # by Chromium, which logs it (the page's scripts can't prevent that): the chat's
        # socket and the bell's, both closed above; nothing else may.
        expected=(
            offline_socket_error(base, f"/ws{chat_path}"),
            offline_socket_error(base, "/ws/bell/", "bell.js"),
        ),
    )

    # Last, so that everything above is checked even while axe finds something.
    assert_no_axe_violations(first)
    assert_no_axe_violations(leader)


# --- 2. a member muted from the moderation queue while the chat is open -------------


@dataclass(frozen=True)
class MuteJourney:
    member_email: str
    member_name: str
    leader_email: str
    leader_name: str
    group_slug: str
    reported_text: str


@pytest.fixture
def mute_journey(transactional_db) -> MuteJourney:
    leader = make_user(email="mute-leader@example.org", display_name="Lantern Keeper")
    member = make_user(email="mute-member@example.org", display_name="Loud Thunder")
    reporter = make_user(email="mute-reporter@example.org", display_name="Quiet Fern")
    group = make_group(name="Late Nights", owner=leader)
    settled = group.held_posts_for_new_members
    for person in (member, reporter):
        add_member(group, person, approved_post_count=settled)
    room = chat_services.room_for(group)
    reported_text = "Stop whining about cravings, just get over it like the rest of us."
    message, _created = chat_services.chat_message_send(
        acting_user=member,
        room=room,
        body=reported_text,
        client_msg_id="5a3c58e0-5bb5-4b3e-8a0c-2f6f4bd4c9a1",
        ring=False,  # nobody is connected yet; the page shows it from the database
    )
    chat_services.chat_message_report(
        acting_user=reporter, message=message, reason=Report.Reason.HARASSMENT
    )
    return MuteJourney(
        member_email=member.email,
        member_name=member.display_name,
        leader_email=leader.email,
        leader_name=leader.display_name,
        group_slug=group.slug,
        reported_text=reported_text,
    )


def test_a_member_muted_from_the_queue_sees_the_composer_close_without_reloading(
    mute_journey, people, live_server_url
):
    """The simplest real path: the leader mutes from the report's page in the
    moderation queue (item_act -> sanction_mute -> access_changed over Redis to the
    member's open chat socket)."""
    data = mute_journey
    base = live_server_url.url
    chat_path = f"/groups/{data.group_slug}/chat/"
    reason = "Please speak kindly about other people's cravings. You can read for now."
    check_in = "Evening, everyone. How is tonight going?"

    # The member has the chat open and can write.
    member = people("member")
    log_in(member, base, data.member_email, data.member_name, chat_path)
    expect(chat_item(member, data.reported_text)).to_have_count(1)
    box = member.get_by_label("Your message")
    send_button = member.get_by_role("button", name="Send", exact=True)
    expect(box).to_be_enabled()
    expect(send_button).to_be_enabled()
    member.get_by_label("Your message").fill("Whatever.")
    mark_page(member)

    # The leader mutes them for an hour from the report in the queue.
    leader = people("leader")
    log_in(leader, base, data.leader_email, data.leader_name, "/moderation/")
    leader.get_by_role("link", name=f"Report · {data.member_name}", exact=True).click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Report")
    about = leader.get_by_role("region", name="What this is about")
    expect(about).to_contain_text(f"A chat message from {data.member_name}")
    expect(about).to_contain_text(data.reported_text)
    mute = leader.get_by_role("group", name="Mute the member")
    mute.get_by_label("1 hour", exact=True).check()
    mute.get_by_label("Reason the member will see").fill(reason)
    earliest = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    mute.get_by_role("button", name="Mute the member").click()
    expect(leader.locator(".messages[role=status]")).to_contain_text(
        "Done. It's in the moderation log."
    )
    latest = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)

    # Without reloading, the member's composer closes and the status says until when
    # (in their time zone, UTC here), and that they can still read.
    expect(box).to_be_disabled()
    expect(send_button).to_be_disabled()
    chat_status = member.locator("#chat-status")
    expect(chat_status).to_have_text(
        re.compile(r"^You are muted until \d\d:\d\d; you can still read\.$")
    )
    shown = re.search(r"\d\d:\d\d", chat_status.text_content()).group(0)
    possible = {earliest.strftime("%H:%M"), latest.strftime("%H:%M")}
    assert shown in possible, f"muted until {shown}, expected one of {sorted(possible)}"
    # What they had typed is still there; the messages are still readable.
    expect(box).to_have_value("Whatever.")
    expect(chat_item(member, data.reported_text)).to_have_count(1)
    assert_not_reloaded(member)

    # A fresh load agrees: no composer, the reason for it instead...
    member.reload()
    expect(member.get_by_label("Your message")).to_have_count(0)
    expect(member.locator("#composer")).to_contain_text("A peer leader has muted you")
    mark_page(member)

    # ...and a muted member can still read: the chat stays live for them.
    leader.goto(f"{base}{chat_path}")
    expect(leader.get_by_role("heading", level=1)).to_have_text("Group chat")
    send(leader, check_in)
    expect(chat_item(leader, check_in)).to_have_count(1)
    expect(chat_item(member, check_in)).to_have_count(1)
    assert_not_reloaded(member)

    assert_no_console_problems(member, leader)
