"""The private recovery tools in a real browser against a real server: a member sets
a goal, checks in on three days with falling mood, is offered their safety plan (and
their group's leaders, if they choose), and opens the plan from "Get help now". Every
recovery page passes axe.

Data is made in the fixture, before Playwright's loop starts (see
test_thread_journeys.py); the test gets plain strings."""

import datetime
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, assert_no_console_problems, log_in
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.browser

NUDGE = "The last few days sound hard"


@dataclass(frozen=True)
class Member:
    email: str
    name: str
    group_name: str


@pytest.fixture
def member(transactional_db) -> Member:
    user = make_user(email="river@example.org", display_name="Quiet River", country="GB")
    group = make_group(name="Sober Mornings")
    add_member(group, user)
    return Member(user.email, user.display_name, group.name)


def check_in(page, day: datetime.date, mood: str, craving: str) -> None:
    page.get_by_label("Which day is this for?").select_option(day.isoformat())
    page.get_by_label(mood).check()
    page.get_by_label("How strong are cravings?").fill(craving)
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_contain_text(
        "Thank you for checking in."
    )


def test_a_member_sets_a_goal_checks_in_three_hard_days_and_opens_their_plan_from_help(
    member, live_server_url, browser_page
):
    base, page = live_server_url.url, browser_page
    today = datetime.datetime.now(datetime.UTC).date()  # the member's time zone is UTC
    log_in(page, base, member.email, member.name, "/recovery/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery tools")
    assert_no_axe_violations(page)

    # A goal, started ten days ago.
    page.get_by_role("link", name="Add a goal").click()
    assert_no_axe_violations(page)
    page.get_by_label("Alcohol").check()
    page.get_by_label("When did this stretch start?").fill(
        (today - datetime.timedelta(days=10)).isoformat()
    )
    page.get_by_role("button", name="Save my goal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alcohol")
    expect(page.get_by_text("10 days on this stretch")).to_be_visible()
    expect(page.get_by_text("10 days in all toward this goal")).to_be_visible()
    assert_no_axe_violations(page)
    goal_url = page.url
    page.get_by_role("link", name="Start again").click()
    expect(page.get_by_text("Your 10 days stay with you")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Not now").click()
    page.goto(goal_url + "milestones/7/")
    assert_no_axe_violations(page)

    # Three check-ins, two days ago, yesterday and today, mood falling.
    page.goto(f"{base}/recovery/check-in/")
    assert_no_axe_violations(page)
    check_in(page, today - datetime.timedelta(days=2), "2 · Low", "4")
    check_in(page, today - datetime.timedelta(days=1), "2 · Low", "6")
    expect(page.get_by_role("heading", name=NUDGE)).to_have_count(0)
    check_in(page, today, "1 · Very low", "8")
    offer = page.get_by_role("region", name=NUDGE)
    expect(offer).to_be_visible()
    expect(offer.get_by_role("link", name="Open my safety plan")).to_be_visible()
    expect(offer.get_by_role("link", name="Ask the peer leaders of Sober Mornings for support")
           ).to_be_visible()  # fmt: skip
    assert_no_axe_violations(page)

    # The chart and its table.
    page.goto(f"{base}/recovery/trends/")
    expect(page.locator("svg circle[fill='#0f5c4d']")).to_have_count(3)
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(4)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Last 90 days").click()
    assert_no_axe_violations(page)

    # "Get help now", then the plan, one tap away.
    page.get_by_role("banner").get_by_role("link", name="Get help now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get help now")
    page.get_by_role("main").get_by_role("link", name="Open my safety plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan")
    expect(page.get_by_text("Samaritans").first).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Write my safety plan").click()
    assert_no_axe_violations(page)
    page.get_by_label("My warning signs").fill("Skipping meals, not answering the phone")
    page.get_by_label("People I can ask for help").fill("My sister Ana, 07700 900123")
    page.get_by_role("button", name="Save my plan").click()
    expect(page.get_by_text("My sister Ana, 07700 900123")).to_be_visible()
    expect(page.get_by_role("button", name="Print my plan")).to_be_visible()
    assert_no_axe_violations(page)
    # On paper: the plan and the crisis lines, without the site's menus.
    page.emulate_media(media="print")
    expect(page.get_by_role("banner")).to_be_hidden()
    expect(page.get_by_role("button", name="Print my plan")).to_be_hidden()
    expect(page.get_by_text("Skipping meals, not answering the phone")).to_be_visible()
    expect(page.get_by_text("Samaritans").first).to_be_visible()
    page.emulate_media(media="screen")

    # The craving SOS: the breathing timer talks through a live region.
    page.get_by_role("link", name="I'm having a craving").first.click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Start a 2-minute breathing timer").click()
    expect(page.locator("#breathing-cue")).to_have_text("Breathe in")
    assert_no_console_problems(page)
