"""Links on a phone (390 px wide, an iPhone 14's viewport): a bare web address in a
post and in a chat message becomes the same kind of link, made by the server, and a
long one wraps instead of widening the page (a post with one once scrolled sideways
to 558 px).

Data is made in a fixture before Playwright starts (see test_thread_journeys.py)."""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from forum.services import threads as thread_services
from groups.markdown import LINK_REL
from tests.browser.conftest import assert_no_axe_violations, assert_no_console_problems, log_in
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LONG_ADDRESS = "https://example.org/share?token=" + "Ab3xQ9" * 50


@dataclass(frozen=True)
class Place:
    email: str
    name: str
    thread_path: str
    chat_path: str


@pytest.fixture
def place(transactional_db) -> Place:
    leader = make_user(email="link-leader@example.org", display_name="Harbour Light")
    member = make_user(email="link-member@example.org", display_name="Open Field")
    group = make_group(name="Links Circle", owner=leader)
    add_member(group, member, approved_post_count=group.held_posts_for_new_members)
    thread = thread_services.thread_create(
        acting_user=leader, group=group, title="Where to find meetings",
        body=f"This list helped me: {LONG_ADDRESS} and so did www.example.org.",
    )  # fmt: skip
    return Place(
        email=member.email, name=member.display_name,
        thread_path=reverse("forum:thread", args=[group.slug, thread.pk]),
        chat_path=reverse("chat:room", args=[group.slug]),
    )  # fmt: skip


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_long_links_in_a_post_and_in_chat_wrap_on_a_phone_and_are_made_alike(
    place, live_server_url, browser_page
):
    page = browser_page
    page.set_viewport_size(PHONE)
    base = live_server_url.url

    log_in(page, base, place.email, place.name, place.thread_path)
    post_link = page.locator(".prose a", has_text="example.org/share")
    expect(post_link).to_have_attribute("href", LONG_ADDRESS)
    expect(post_link).to_have_attribute("rel", LINK_REL)
    expect(page.locator(".prose a", has_text="www.example.org")).to_have_attribute(
        "href", "http://www.example.org"
    )
    assert page_width(page) <= PHONE["width"], "the post widened the page"

    page.goto(base + place.chat_path)
    box = page.get_by_label("Your message")
    box.fill(f"Also here: {LONG_ADDRESS} and www.example.org.")
    box.press("Enter")
    expect(page.locator("#chat-log .chat-message--pending")).to_have_count(0)

    # The sender's own copy, redrawn from the server's acknowledgement.
    chat_link = page.locator("#chat-log .chat-message__body a", has_text="example.org/share")
    expect(chat_link).to_have_attribute("href", LONG_ADDRESS)
    expect(chat_link).to_have_attribute("rel", LINK_REL)
    expect(
        page.locator("#chat-log .chat-message__body a", has_text="www.example.org")
    ).to_have_attribute("href", "http://www.example.org")
    assert page_width(page) <= PHONE["width"], "the chat message widened the page"

    # After a reload the page's own rendering shows the same links.
    page.reload()
    expect(chat_link).to_have_attribute("href", LONG_ADDRESS)
    assert page_width(page) <= PHONE["width"]
    assert_no_axe_violations(page)
    assert_no_console_problems(page)
