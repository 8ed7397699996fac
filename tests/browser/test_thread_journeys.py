"""Thread journeys in a real browser against a real server, with several people at
several computers: starting a thread behind a content warning, reacting, replying with
a mention, following the notification, pinning and locking; and a new member's first
reply waiting for a peer leader's approval.

Data is made with the ORM and the services in fixtures that every test lists *before*
``people``: pytest sets fixtures up in the order a test names them, and no ORM call may
run once Playwright's sync loop is alive (../shared/research/stack-spike.md, pitfall
8). The fixtures hand the tests plain strings, never model instances.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from forum.services import reading as reading_services
from forum.services import threads as thread_services
from groups.models import Membership
from tests.browser.conftest import (
    assert_no_axe_violations,
    assert_no_console_problems,
    log_in,
)
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.browser


# --- people: one browser context each (as in test_group_journeys.py) ----------------


def thread_row(page, title: str):
    """A thread's entry in a group's Discussions list."""
    return (
        page.get_by_role("main")
        .get_by_role("listitem")
        .filter(has=page.get_by_role("heading", name=title, exact=True))
    )


def post_article(page, author: str, number: int):
    """A published post: an article named "<author>, post <n>"."""
    return page.get_by_role("article", name=f"{author}, post {number}", exact=True)


def open_discussions(page, group_name: str) -> None:
    """From a group's page, follow its Discussions link."""
    expect(page.get_by_role("heading", level=1)).to_have_text(group_name)
    page.get_by_role("main").get_by_role("link", name="Discussions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discussions")


# --- 1. a thread behind a content warning: react, mention, notify, pin, lock ---------


@dataclass(frozen=True)
class ThreadJourney:
    author_email: str
    author_name: str
    reader_email: str
    reader_name: str
    leader_email: str
    leader_name: str
    group_name: str
    group_slug: str
    checkin_title: str


@pytest.fixture
def thread_journey(transactional_db) -> ThreadJourney:
    leader = make_user(email="lamplighter@example.org", display_name="Lamplighter")
    author = make_user(email="willow-path@example.org", display_name="Willow Path")
    reader = make_user(email="cedar-light@example.org", display_name="Cedar Light")
    group = make_group(name="Sober and Steady", owner=leader)
    settled = group.held_posts_for_new_members  # their posts are no longer held
    add_member(group, author, approved_post_count=settled)
    add_member(group, reader, approved_post_count=settled)
    # An older thread everyone has already read: it must not be marked New.
    checkin = thread_services.thread_create(
        acting_user=leader,
        group=group,
        title="Weekly check-in",
        body="How has your week been? One line is plenty.",
    )
    for member in (author, reader):
        reading_services.read_state_advance(user=member, thread=checkin, number=1, known=None)
    return ThreadJourney(
        author_email=author.email,
        author_name=author.display_name,
        reader_email=reader.email,
        reader_name=reader.display_name,
        leader_email=leader.email,
        leader_name=leader.display_name,
        group_name=group.name,
        group_slug=group.slug,
        checkin_title=checkin.title,
    )


def test_thread_with_content_warning_reaction_mention_notification_pin_and_lock(
    thread_journey, people, live_server_url
):
    data = thread_journey
    base = live_server_url.url
    group_path = f"/groups/{data.group_slug}/"
    title = "I slipped after 40 days"
    bold = "not giving up"
    body = (
        "Last night I drank again after 40 days.\n\n"
        f"I'm **{bold}**, but I feel ashamed. How did you start again?"
    )
    reply = "@Willow Path slipping isn't starting over. You noticed it and said it here."

    # 1. Willow starts a thread; an empty message is refused kindly, nothing lost.
    author = people("author")
    log_in(author, base, data.author_email, data.author_name, group_path)
    open_discussions(author, data.group_name)
    author.get_by_role("main").get_by_role("link", name="Start a thread").click()
    expect(author.get_by_role("heading", level=1)).to_have_text("Start a thread")
    author.get_by_label("Title").fill(title)
    author.get_by_label("Content warning", exact=True).select_option(label="Relapse")
    author.get_by_role("button", name="Post the thread").click()

    alert = author.get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    expect(alert).to_contain_text("Please write your message before sending.")
    expect(alert).to_be_focused()
    expect(author.get_by_label("Title")).to_have_value(title)
    expect(author.get_by_label("Content warning", exact=True)).to_have_value("relapse")
    expect(author.get_by_label("Your message")).to_have_value("")
    assert_no_axe_violations(author)

    # The error links to the field it is about.
    alert.get_by_role("link", name="Please write your message before sending.").click()
    expect(author.get_by_label("Your message")).to_be_focused()
    author.get_by_label("Your message").fill(body)
    author.get_by_role("button", name="Post the thread").click()
    expect(author.get_by_role("heading", level=1)).to_have_text(title)
    # The new thread opens at its first post.
    thread_address = re.compile(rf"({re.escape(base)}{group_path}threads/\d+/)\?page=1#post-1$")
    expect(author).to_have_url(thread_address)
    thread_url = thread_address.match(author.url).group(1)
    first_post = post_article(author, data.author_name, 1)
    expect(first_post.locator("summary")).to_contain_text("Content warning: Relapse.")

    # 2. Cedar, at another computer, finds it marked New among the group's threads.
    reader = people("reader")
    log_in(reader, base, data.reader_email, data.reader_name, group_path)
    open_discussions(reader, data.group_name)
    new_row = thread_row(reader, title)
    expect(new_row).to_contain_text(f"by {data.author_name}")
    expect(new_row.get_by_text("New", exact=True)).to_be_visible()
    expect(thread_row(reader, data.checkin_title).get_by_text("New", exact=True)).to_have_count(0)
    new_row.get_by_role("link", name=title, exact=True).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(title)

    # The post waits behind its warning until Cedar chooses to open it.
    post = post_article(reader, data.author_name, 1)
    warning = post.locator("details")
    summary = warning.locator("summary")
    expect(summary).to_contain_text("Content warning: Relapse.")
    expect(summary).to_contain_text("Show post")
    expect(warning).not_to_have_attribute("open", re.compile(".*"))
    expect(post.get_by_text(bold, exact=True)).to_be_hidden()
    summary.click()
    expect(warning).to_have_attribute("open", "")
    strong = post.locator("strong").filter(has_text=bold)
    expect(strong).to_be_visible()
    expect(strong).to_have_text(bold)

    strength = post.get_by_role("button", name="Sending strength")
    expect(strength).to_have_attribute("aria-pressed", "false")
    strength.click()
    expect(strength).to_have_attribute("aria-pressed", "true")
    expect(strength).to_have_accessible_name("Sending strength 1")
    expect(strength.locator(".reaction__count")).to_have_text("1")
    # The page came back at the post, and focus is on it, not at the top of the page.
    expect(post).to_be_focused()
    reader.keyboard.press("Tab")
    expect(post.locator(":focus")).to_have_count(1)  # Tab carries on inside the post

    reply_form = reader.get_by_role("region", name="Your reply")
    reply_form.get_by_label("Your message").fill(reply)
    assert_no_axe_violations(reader)
    reply_form.get_by_role("button", name="Send reply").click()
    expect(reader).to_have_url(re.compile(r"\?page=1#post-2$"))
    expect(post_article(reader, data.reader_name, 2)).to_contain_text(
        "slipping isn't starting over"
    )

    # 3. Willow's bell shows two unread notifications (the mention, and the strength
    # Cedar sent), which lead to the reply.
    author.reload()
    main_nav = author.get_by_role("navigation", name="Main")
    bell = main_nav.get_by_role("link", name="Notifications 2 unread", exact=True)
    expect(bell.locator(".badge")).to_have_text("2 unread")
    expect(post_article(author, data.reader_name, 2)).to_contain_text("New since your last visit")
    # Willow's own post shows Cedar's reaction, but not as a button to press.
    own_post = post_article(author, data.author_name, 1)
    expect(own_post.get_by_role("button", name="Sending strength")).to_have_count(0)
    expect(own_post.get_by_role("group", name="Reactions")).to_contain_text("Sending strength 1")
    bell.click()

    expect(author.get_by_role("heading", level=1)).to_have_text("Notifications")
    note = (
        author.get_by_role("main")
        .get_by_role("listitem")
        .filter(has_text=f"{data.reader_name} mentioned you")
    )
    expect(note).to_have_count(1)
    expect(note).to_contain_text(f"mentioned you in “{title}”.")
    expect(author.get_by_role("main")).to_contain_text(
        f"{data.reader_name} sent strength on your post in “{title}”."
    )
    expect(note.get_by_text("New", exact=True)).to_be_visible()
    # Opening the page marks nothing read: opening one notification does.
    expect(main_nav.locator(".badge")).to_have_text("2 unread")
    assert_no_axe_violations(author)

    note.get_by_role("link", name="See it and mark it read").click()
    expect(author).to_have_url(f"{thread_url}?page=1#post-2")
    target = author.locator(":target")
    expect(target).to_have_attribute("id", "post-2")
    expect(target).to_be_in_viewport()
    expect(main_nav.locator(".badge")).to_have_text("1 unread")
    reply_post = post_article(author, data.reader_name, 2)
    expect(reply_post).to_contain_text(reply)

    # 4. The group's leader pins the thread and locks it.
    leader = people("leader")
    log_in(leader, base, data.leader_email, data.leader_name, group_path)
    open_discussions(leader, data.group_name)
    # A fresh word in the check-in moves it above Willow's thread...
    thread_row(leader, data.checkin_title).get_by_role("link", name=data.checkin_title).click()
    leader.get_by_role("region", name="Your reply").get_by_label("Your message").fill(
        "A gentle reminder: the check-in is open all week."
    )
    leader.get_by_role("button", name="Send reply").click()
    expect(post_article(leader, data.leader_name, 2)).to_be_visible()
    leader.get_by_role("link", name="Discussions", exact=True).click()
    rows = leader.get_by_role("main").get_by_role("listitem")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_role("heading")).to_have_text(data.checkin_title)
    expect(rows.nth(1).get_by_role("heading")).to_have_text(title)

    # ...until Willow's thread is pinned.
    rows.nth(1).get_by_role("link", name=title, exact=True).click()
    expect(leader.get_by_role("heading", level=1)).to_have_text(title)
    leader.get_by_role("button", name="Pin thread").click()
    expect(leader.get_by_role("button", name="Unpin thread")).to_be_visible()
    meta = leader.get_by_role("main").locator("h1 + .meta")
    expect(meta).to_contain_text("Pinned")
    leader.get_by_role("button", name="Lock thread").click()
    expect(leader.get_by_role("button", name="Unlock thread")).to_be_visible()
    expect(meta).to_contain_text("Locked: no new replies")
    # Leaders can still write in a locked thread (as in a paused chat), and are told so.
    expect(leader.get_by_text("As a peer leader you can still reply")).to_be_visible()

    leader.get_by_role("link", name="Discussions", exact=True).click()
    expect(rows.nth(0).get_by_role("heading")).to_have_text(title)
    expect(rows.nth(0)).to_contain_text("Pinned")
    expect(rows.nth(0)).to_contain_text("Locked")
    expect(rows.nth(1).get_by_role("heading")).to_have_text(data.checkin_title)
    expect(rows.nth(1)).not_to_contain_text("Pinned")

    # Cedar, still on the thread, reloads: it can be read but no longer answered.
    reader.reload()
    expect(reader.get_by_role("heading", level=1)).to_have_text(title)
    expect(reader.get_by_text("This thread is locked. You can still read it.")).to_be_visible()
    expect(reader.get_by_role("button", name="Send reply")).to_have_count(0)
    expect(reader.get_by_label("Your message")).to_have_count(0)
    expect(post_article(reader, data.reader_name, 2)).to_contain_text(reply)
    assert_no_axe_violations(reader)

    assert_no_console_problems(author, reader, leader)


# --- 2. a new member's first reply waits for a peer leader --------------------------


@dataclass(frozen=True)
class HeldJourney:
    newcomer_email: str
    newcomer_name: str
    member_email: str
    member_name: str
    leader_email: str
    leader_name: str
    group_name: str
    group_slug: str
    thread_title: str
    thread_path: str


@pytest.fixture
def held_journey(transactional_db) -> HeldJourney:
    leader = make_user(email="held-leader@example.org", display_name="North Star")
    newcomer = make_user(email="held-newcomer@example.org", display_name="First Light")
    member = make_user(email="held-member@example.org", display_name="Old Oak")
    group = make_group(name="Dual Diagnosis Circle", owner=leader)
    add_member(group, newcomer)  # approved_post_count 0: the first posts are held
    add_member(group, member, approved_post_count=group.held_posts_for_new_members)
    assert Membership.objects.get(group=group, user=newcomer).approved_post_count == 0
    thread = thread_services.thread_create(
        acting_user=leader,
        group=group,
        title="Introduce yourself",
        body="Say hello, and as much or as little about yourself as you like.",
    )
    return HeldJourney(
        newcomer_email=newcomer.email,
        newcomer_name=newcomer.display_name,
        member_email=member.email,
        member_name=member.display_name,
        leader_email=leader.email,
        leader_name=leader.display_name,
        group_name=group.name,
        group_slug=group.slug,
        thread_title=thread.title,
        thread_path=f"/groups/{group.slug}/threads/{thread.pk}/",
    )


def test_new_members_reply_waits_for_a_leaders_approval(held_journey, people, live_server_url):
    data = held_journey
    base = live_server_url.url
    hello = "Hello, I'm two weeks sober and managing my bipolar meds again."

    newcomer = people("newcomer")
    log_in(newcomer, base, data.newcomer_email, data.newcomer_name, data.thread_path)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text(data.thread_title)
    newcomer.get_by_role("region", name="Your reply").get_by_label("Your message").fill(hello)
    newcomer.get_by_role("button", name="Send reply").click()
    expect(newcomer.locator(".messages")).to_contain_text(
        "Your reply is waiting for a peer leader's approval; until then only you can see it."
    )
    held = newcomer.get_by_role(
        "article", name=f"{data.newcomer_name}, awaiting approval", exact=True
    )
    expect(held).to_contain_text(hello)
    expect(held).to_contain_text("Awaiting approval")
    expect(held.get_by_role("button", name="Sending strength")).to_have_count(0)

    # Another member sees the thread without it.
    member = people("member")
    log_in(member, base, data.member_email, data.member_name, data.thread_path)
    expect(member.get_by_role("heading", level=1)).to_have_text(data.thread_title)
    expect(member.get_by_role("article")).to_have_count(1)
    expect(member.get_by_role("main")).not_to_contain_text(hello)
    expect(member.get_by_role("main")).not_to_contain_text(data.newcomer_name)

    # The leader finds it from the group page's leader tools and approves it.
    leader = people("leader")
    log_in(leader, base, data.leader_email, data.leader_name, f"/groups/{data.group_slug}/")
    tools = leader.get_by_role("navigation", name="Leading this group")
    held_link = tools.get_by_role("link", name="Posts awaiting approval 1 waiting", exact=True)
    expect(held_link.locator(".badge")).to_have_text("1 waiting")
    held_link.click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Posts awaiting approval")
    card = (
        leader.get_by_role("main")
        .get_by_role("listitem")
        .filter(has=leader.get_by_role("heading", name=data.thread_title))
    )
    expect(card).to_have_count(1)
    expect(card).to_contain_text(data.newcomer_name)
    expect(card).to_contain_text(hello)
    assert_no_axe_violations(leader)
    card.get_by_role("button", name="Approve and publish").click()
    expect(leader.locator(".messages")).to_contain_text("The post is published.")
    expect(leader.get_by_role("main")).to_contain_text("Nothing is waiting.")

    # Now everyone sees it, numbered like any other post.
    member.reload()
    published = post_article(member, data.newcomer_name, 2)
    expect(published).to_contain_text(hello)
    expect(published).not_to_contain_text("Awaiting approval")
    newcomer.reload()
    expect(post_article(newcomer, data.newcomer_name, 2)).not_to_contain_text("Awaiting approval")

    assert_no_console_problems(newcomer, member, leader)
