"""A newcomer's first visit, end to end, in a real browser against a real server."""

import re
from uuid import uuid4

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, confirmation_link, wait_for_emails

pytestmark = pytest.mark.browser

PASSWORD = "slow-steady-recovery-42"


def test_newcomer_signs_up_confirms_logs_in_finds_help_and_logs_out(live_server_url, browser_page):
    page = browser_page
    server = live_server_url
    email_address = f"newcomer-{uuid4().hex[:12]}@example.org"
    display_name = f"Calm Harbour {uuid4().hex[:4]}"

    # The home page, anonymous.
    page.goto(f"{server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You don't have to do this alone")
    assert_no_axe_violations(page)

    # Join: an empty submit shows the server's errors, which must be accessible too.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Join", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_no_axe_violations(page)

    page.get_by_label("Email").fill(email_address)
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("I am 18 or older").check()
    page.get_by_label("I have read and accept the community rules").check()
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("verify your email", re.IGNORECASE)
    )

    # The confirmation email, read from the server's mail files (not the ORM).
    messages = wait_for_emails(server.email_dir, count=1)
    to_newcomer = [m for m in messages if email_address in str(m["To"])]
    assert len(to_newcomer) == 1, [str(m["To"]) for m in messages]
    page.goto(confirmation_link(to_newcomer[0]))
    # ACCOUNT_CONFIRM_EMAIL_ON_GET is off: the link opens a page with a button.
    expect(page.get_by_role("main")).to_contain_text(email_address)
    page.get_by_role("main").get_by_role("button", name="Confirm").click()

    # Confirming does not log in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION is off): it
    # leads to the login page.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".messages")).to_contain_text(f"You have confirmed {email_address}")
    page.get_by_label("Email").fill(email_address)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_text(f"Welcome back, {display_name}.")).to_be_visible()

    # Help is one click away, from the header.
    page.get_by_role("banner").get_by_role("link", name="Get help now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get help now")
    expect(page.get_by_role("main")).to_contain_text("988")
    expect(page.get_by_role("main")).to_contain_text("1-800-662-4357")
    assert_no_axe_violations(page)

    # Log out from the header (allauth may ask to confirm).
    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    expect(page).not_to_have_url(re.compile(r"/help/"))
    if re.search(r"/accounts/logout/", page.url):
        page.get_by_role("main").get_by_role("button", name="Sign Out").click()
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name="Log in")).to_be_visible()
    expect(banner.get_by_role("button", name="Log out")).to_have_count(0)

    assert page.console_problems == []


def test_narrow_screen_has_no_horizontal_scroll_and_help_is_visible(live_server_url, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/help/"):
        page.goto(f"{live_server_url.url}{path}")
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= 320, f"{path} scrolls sideways at 320 px: scrollWidth={scroll_width}"
        help_link = page.get_by_role("banner").get_by_role("link", name="Get help now")
        expect(help_link).to_be_visible()
        expect(help_link).to_be_in_viewport()
    assert page.console_problems == []
