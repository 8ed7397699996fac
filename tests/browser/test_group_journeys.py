"""Group journeys in a real browser against a real server: asking to join and being
approved, joining a hidden group through an invite link, and leaving by keyboard.

Data is made with the ORM in fixtures that every test lists *before* ``people``:
pytest sets fixtures up in the order a test names them, and no ORM call may run once
Playwright's sync loop is alive (../shared/research/stack-spike.md, pitfall 8). The
fixtures hand the tests plain strings, never model instances, so nothing in a test
body can touch the database lazily.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from groups.models import Group, Topic
from tests.browser.conftest import (
    assert_no_axe_violations,
    assert_no_console_problems,
    failed_load,
    fill_login_form,
    log_in,
)
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.browser

MAX_TABS = 40
RULES_LABEL = "I have read the group's rules and will follow them"


# --- people: one browser context each ----------------------------------------------


# --- 1. asking to join a private group, and a leader saying yes ----------------------


@dataclass(frozen=True)
class RequestJourney:
    member_email: str
    member_name: str
    owner_email: str
    owner_name: str
    group_name: str
    group_slug: str
    same_topic_group: str
    same_word_group: str
    topic_name: str


@pytest.fixture
def request_journey(transactional_db) -> RequestJourney:
    # Topics of our own: a fresh test database has the curated ones from a data
    # migration, a reused one may have lost them to an earlier flush.
    anxiety = Topic.objects.create(name="Night-time anxiety", slug="night-time-anxiety")
    alcohol = Topic.objects.create(name="Cutting down on drinking", slug="cutting-down")
    owner = make_user(email="harbour-owner@example.org", display_name="Lantern Keeper")
    member = make_user(email="morning-star@example.org", display_name="Morning Star")
    target = make_group(
        name="Steady Harbour",
        visibility=Group.Visibility.PRIVATE,
        join_policy=Group.JoinPolicy.REQUEST,
        owner=owner,
        rules="1. What is shared here stays here.\n2. No advice about doses.",
    )
    target.topics.add(anxiety)
    # Two groups the search must tell apart: one with the same topic, one with the
    # same word in its name.
    same_topic = make_group(
        name="Calm Waters",
        visibility=Group.Visibility.PRIVATE,
        join_policy=Group.JoinPolicy.REQUEST,
        owner=make_user(),
    )
    same_topic.topics.add(anxiety)
    same_word = make_group(name="Harbour Lights", owner=make_user())
    same_word.topics.add(alcohol)
    return RequestJourney(
        member_email=member.email,
        member_name=member.display_name,
        owner_email=owner.email,
        owner_name=owner.display_name,
        group_name=target.name,
        group_slug=target.slug,
        same_topic_group=same_topic.name,
        same_word_group=same_word.name,
        topic_name=anxiety.name,
    )


def test_member_asks_to_join_a_private_group_and_a_leader_approves(
    request_journey, people, live_server_url
):
    data = request_journey
    base = live_server_url.url
    message = "I'm three months sober and my anxiety spikes at night.\nI'd like to listen first."

    member = people("member")
    log_in(member, base, data.member_email, data.member_name, "/groups/")

    # The directory lists all three groups; a word and a topic narrow it to one.
    main = member.get_by_role("main")
    for name in (data.group_name, data.same_topic_group, data.same_word_group):
        expect(main.get_by_role("link", name=name, exact=True)).to_be_visible()
    search = member.get_by_role("search")
    search.get_by_label("Search by name").fill("harbour")
    search.get_by_label("Topic").select_option(label=data.topic_name)
    search.get_by_role("button", name="Show groups").click()
    expect(member).to_have_url(re.compile(r"/groups/\?.*q=harbour"))
    expect(main.get_by_role("link", name=data.group_name, exact=True)).to_be_visible()
    expect(main.get_by_role("link", name=data.same_topic_group, exact=True)).to_have_count(0)
    expect(main.get_by_role("link", name=data.same_word_group, exact=True)).to_have_count(0)
    expect(search.get_by_label("Search by name")).to_have_value("harbour")

    main.get_by_role("link", name=data.group_name, exact=True).click()
    expect(member.get_by_role("heading", level=1)).to_have_text(data.group_name)
    expect(main).to_contain_text("Join by request")
    main.get_by_role("link", name="Ask to join").click()
    expect(member.get_by_role("heading", level=1)).to_have_text(f"Ask to join {data.group_name}")
    expect(main).to_contain_text("What is shared here stays here.")

    # Sending without accepting the rules is refused, and the message survives.
    member.get_by_label("A message to the peer leaders (optional)").fill(message)
    main.get_by_role("button", name="Send my request").click()
    alert = member.get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    expect(alert).to_contain_text("Please read and accept the group's rules to join.")
    expect(alert).to_be_focused()
    expect(member.get_by_label("A message to the peer leaders (optional)")).to_have_value(message)
    expect(member.get_by_label(RULES_LABEL)).not_to_be_checked()
    assert_no_axe_violations(member)

    member.get_by_label(RULES_LABEL).check()
    main.get_by_role("button", name="Send my request").click()
    expect(member.get_by_role("heading", level=1)).to_have_text(data.group_name)
    expect(member.locator(".messages")).to_contain_text("Your request is sent.")
    expect(main).to_contain_text("Your request to join is waiting for a peer leader.")
    expect(main.get_by_role("button", name="Withdraw my request")).to_be_visible()
    assert_no_axe_violations(member)

    # Meanwhile, at another computer, the group's owner answers it.
    owner = people("owner")
    log_in(owner, base, data.owner_email, data.owner_name, f"/groups/{data.group_slug}/")
    expect(owner.get_by_role("heading", level=1)).to_have_text(data.group_name)
    expect(owner.get_by_text("You own this group.")).to_be_visible()
    tools = owner.get_by_role("navigation", name="Leading this group")
    # The waiting count is part of the link's name, so a screen reader hears it.
    requests_link = tools.get_by_role("link", name="Join requests 1 waiting", exact=True)
    expect(requests_link.locator(".badge")).to_have_text("1 waiting")
    requests_link.click()

    expect(owner.get_by_role("heading", level=1)).to_have_text("Join requests")
    card = owner.get_by_role("listitem").filter(
        has=owner.get_by_role("heading", name=data.member_name)
    )
    expect(card).to_have_count(1)
    expect(card.locator("blockquote")).to_contain_text("I'm three months sober")
    expect(card.locator("blockquote")).to_contain_text("I'd like to listen first.")
    assert_no_axe_violations(owner)
    card.get_by_role("button", name=f"Approve {data.member_name}").click()
    expect(owner.locator(".messages")).to_contain_text(f"{data.member_name} is now a member.")
    expect(owner.get_by_role("main")).to_contain_text("No one is waiting.")

    # Back on the group page the badge is gone, and the member list has them.
    owner.get_by_role("main").get_by_role("link", name=data.group_name, exact=True).click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(data.group_name)
    expect(tools.locator(".badge")).to_have_count(0)
    tools.get_by_role("link", name="Members", exact=True).click()
    expect(owner.get_by_role("rowheader", name=data.member_name, exact=True)).to_be_visible()

    # Back at the member's computer: a reload shows the answer.
    member.reload()
    expect(member.get_by_role("main")).to_contain_text("You are a member.")
    expect(member.get_by_role("main")).not_to_contain_text("Your request to join is waiting")
    assert_no_axe_violations(member)
    member.get_by_role("link", name="See who is in this group").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Members")
    expect(member.get_by_role("rowheader", name=f"{data.member_name} (you)")).to_be_visible()
    expect(member.get_by_role("rowheader", name=data.owner_name, exact=True)).to_be_visible()

    assert_no_console_problems(member, owner)


# --- 2. an invite link to a hidden group, used and then revoked ----------------------


@dataclass(frozen=True)
class InviteJourney:
    owner_email: str
    owner_name: str
    newcomer_email: str
    newcomer_name: str
    latecomer_email: str
    latecomer_name: str
    group_name: str
    group_slug: str
    welcome_line: str


@pytest.fixture
def invite_journey(transactional_db) -> InviteJourney:
    owner = make_user(email="circle-owner@example.org", display_name="Quiet Cedar")
    newcomer = make_user(email="newcomer-invite@example.org", display_name="River Stone")
    latecomer = make_user(email="latecomer-invite@example.org", display_name="Late Bloom")
    welcome_line = "You are safe here. Take what helps and leave the rest."
    group = make_group(
        name="Trauma Recovery Circle",
        visibility=Group.Visibility.HIDDEN,
        owner=owner,
        welcome_message=f"{welcome_line}\n\nSay hello in the **introductions** thread.",
    )
    return InviteJourney(
        owner_email=owner.email,
        owner_name=owner.display_name,
        newcomer_email=newcomer.email,
        newcomer_name=newcomer.display_name,
        latecomer_email=latecomer.email,
        latecomer_name=latecomer.display_name,
        group_name=group.name,
        group_slug=group.slug,
        welcome_line=welcome_line,
    )


def test_leader_shares_an_invite_link_to_a_hidden_group_then_revokes_it(
    invite_journey, people, live_server_url
):
    data = invite_journey
    base = live_server_url.url

    leader = people("leader")
    log_in(leader, base, data.owner_email, data.owner_name, f"/groups/{data.group_slug}/")
    leader.get_by_role("navigation", name="Leading this group").get_by_role(
        "link", name="Invite links"
    ).click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Invite links")
    expect(leader.get_by_role("main")).to_contain_text("No links yet.")
    leader.get_by_label("Link stops working after").select_option(label="30 days")
    leader.get_by_label("Most people who can use it (optional)").fill("5")
    leader.get_by_role("button", name="Create a link").click()
    expect(leader.locator(".messages")).to_contain_text("A new invite link is ready.")
    link_input = leader.get_by_role("main").get_by_label("Link", exact=True)
    expect(link_input).to_have_count(1)
    expect(link_input).not_to_be_editable()
    invite_url = link_input.input_value()
    assert re.fullmatch(rf"{re.escape(base)}/invite/[\w-]+/", invite_url), invite_url
    expect(leader.get_by_role("main")).to_contain_text("used 0 times of 5")
    assert_no_axe_violations(leader)

    # The newcomer is not logged in: the link asks them to, then brings them back.
    newcomer = people("newcomer")
    newcomer.goto(invite_url)
    expect(newcomer).to_have_url(re.compile(r"/accounts/login/\?next=/invite/"))
    fill_login_form(newcomer, data.newcomer_email)
    expect(newcomer).to_have_url(invite_url)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text(
        f"You're invited to {data.group_name}"
    )
    assert_no_axe_violations(newcomer)
    newcomer.get_by_label(RULES_LABEL).check()
    newcomer.get_by_role("button", name="Join the group").click()

    expect(newcomer).to_have_url(f"{base}/groups/{data.group_slug}/welcome/")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text(f"Welcome to {data.group_name}")
    welcome = newcomer.locator(".welcome")
    expect(welcome).to_contain_text(data.welcome_line)
    expect(welcome.locator("strong")).to_have_text("introductions")
    assert_no_axe_violations(newcomer)

    newcomer.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    yours = newcomer.get_by_role("region", name="Your groups")
    expect(yours.get_by_role("link", name=data.group_name, exact=True)).to_be_visible()

    # The leader sees the link was used, and withdraws it.
    leader.reload()
    expect(leader.get_by_role("main")).to_contain_text("used 1 time of 5")
    leader.get_by_role("button", name="Revoke this link").click()
    expect(leader.locator(".messages")).to_contain_text("The link no longer works.")
    expect(leader.get_by_role("main").locator(".card .meta")).to_contain_text("Revoked")
    expect(leader.get_by_role("button", name="Revoke this link")).to_have_count(0)

    # Someone else given the same link, later, is told it is dead.
    latecomer = people("latecomer")
    log_in(latecomer, base, data.latecomer_email, data.latecomer_name)
    response = latecomer.goto(invite_url)
    assert response is not None and response.status == 410
    expect(latecomer.get_by_role("heading", level=1)).to_have_text(
        "This invite link no longer works"
    )
    expect(latecomer.get_by_role("button", name="Join the group")).to_have_count(0)
    assert_no_axe_violations(latecomer)
    # A hidden group stays hidden from them.
    assert latecomer.goto(f"{base}/groups/{data.group_slug}/").status == 404

    # Chromium logs every 4xx document as a console error; these two were asked for.
    assert_no_console_problems(
        leader,
        newcomer,
        latecomer,
        expected=(
            failed_load(invite_url, "410 (Gone)"),
            failed_load(f"{base}/groups/{data.group_slug}/", "404 (Not Found)"),
        ),
    )


# --- 3. leaving a group with the keyboard only --------------------------------------


@dataclass(frozen=True)
class LeaveJourney:
    member_email: str
    member_name: str
    group_name: str
    group_slug: str


@pytest.fixture
def leave_journey(transactional_db) -> LeaveJourney:
    member = make_user(email="keyboard-member@example.org", display_name="Steady Keys")
    group = make_group(name="Sober Mornings", owner=make_user())
    add_member(group, member)
    return LeaveJourney(
        member_email=member.email,
        member_name=member.display_name,
        group_name=group.name,
        group_slug=group.slug,
    )


FOCUS_STYLE = """el => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle === "none" || parseFloat(style.outlineWidth) === 0
        ? "none" : `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`;
    return {outline: outline, boxShadow: style.boxShadow};
}"""


def has_focus_style(focused: dict, resting: dict | None = None) -> bool:
    """An outline, or a box-shadow (one the element doesn't already wear at rest)."""
    if focused["outline"] != "none":
        return True
    at_rest = resting["boxShadow"] if resting else "none"
    return focused["boxShadow"] not in ("none", at_rest)


def tab_to(page, target, unstyled: list[str]) -> dict:
    """Press Tab until ``target`` has focus, at most MAX_TABS times, and return its
    focused style. Every element focused on the way must show a focus style; those
    that don't are added to ``unstyled``."""
    resting = target.evaluate(FOCUS_STYLE)
    for _presses in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.locator("*:focus")
        style = focused.evaluate(FOCUS_STYLE)
        if not has_focus_style(style):
            unstyled.append(focused.evaluate("el => el.outerHTML.slice(0, 120)"))
        if target.evaluate("el => el === document.activeElement"):
            expect(target).to_be_in_viewport()
            assert target.evaluate("el => el.matches(':focus-visible')")
            assert has_focus_style(style, resting), f"focused {style}, at rest {resting}"
            return style
    pytest.fail(f"{target} not reached in {MAX_TABS} Tab presses")


def test_member_leaves_a_group_with_the_keyboard_only(leave_journey, people, live_server_url):
    data = leave_journey
    base = live_server_url.url
    page = people("member")
    log_in(page, base, data.member_email, data.member_name, f"/groups/{data.group_slug}/")
    expect(page.get_by_role("main")).to_contain_text("You are a member.")
    unstyled: list[str] = []

    leave_link = page.get_by_role("link", name="Leave this group")
    tab_to(page, leave_link, unstyled)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Leave {data.group_name}?")
    leave_button = page.get_by_role("button", name="Leave the group")
    tab_to(page, leave_button, unstyled)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{base}/groups/")
    expect(page.locator(".messages")).to_contain_text(
        f"You have left {data.group_name}. You are welcome back any time."
    )
    expect(page.get_by_role("region", name="Your groups")).to_have_count(0)
    expect(
        page.get_by_role("region", name="All groups").get_by_role("link", name=data.group_name)
    ).to_be_visible()

    assert unstyled == [], f"focused without a visible focus style: {unstyled}"
    assert_no_console_problems(page)
