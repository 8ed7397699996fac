"""Crisis journeys in a real browser against a real server, with a member and their
group's peer leader at two computers: words that sound like crisis bring a gentle
prompt (never a block) while the member writes, and the leader's open moderation queue
rings with an urgent item at the top when the post goes out; ordinary words bring no
prompt; and the "I need support now" button leads to helplines and, if the member
chooses, tells the leaders.

Data is made with the ORM and the services in fixtures that every test lists *before*
``people`` (see test_thread_journeys.py): no ORM call may run once Playwright's sync
loop is alive. The fixtures hand the tests plain strings, never model instances.
"""

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from forum.services import reactions as reaction_services
from forum.services import threads as thread_services
from groups.models import Report, ReviewItem
from tests.browser.conftest import (
    assert_no_axe_violations,
    assert_no_console_problems,
    log_in,
)
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.browser

PROMPT_OPENING = "It sounds like you might be going through something really hard."
# crisis-prompt.js checks the form 250 ms after the last keystroke.
PROMPT_DEBOUNCE_MS = 250


def queue_items(page):
    """The entries of the moderation queue, in the order the page lists them."""
    return page.locator("#queue").get_by_role("listitem")


def wait_for_doorbell(page) -> None:
    """The queue page marks itself live once its socket is open (it refreshes the
    list then): from that moment a doorbell reaches it."""
    expect(page.locator("#queue[data-live=true]")).to_have_count(1)


def mark_page(page) -> None:
    """A mark on this very document: it survives only if the page is never reloaded."""
    page.evaluate("window.stillTheSamePage = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.stillTheSamePage === true"), f"{page.url} was reloaded"


def open_queue(page, base: str, data) -> None:
    """The leader opens the queue and keeps it open: only the older item is there."""
    log_in(page, base, data.leader_email, data.leader_name, "/moderation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    items = queue_items(page)
    expect(items).to_have_count(1)
    expect(items.nth(0).get_by_role("heading")).to_have_text(f"Report · {data.other_name}")
    expect(items.nth(0)).not_to_contain_text("Urgent")
    wait_for_doorbell(page)
    mark_page(page)


@dataclass(frozen=True)
class CrisisJourney:
    member_email: str
    member_name: str
    leader_email: str
    leader_name: str
    other_name: str
    group_name: str
    group_slug: str
    older_excerpt: str


@pytest.fixture
def crisis_journey(transactional_db) -> CrisisJourney:
    leader = make_user(email="crisis-leader@example.org", display_name="Harbour Light")
    # In the United Kingdom: the support page shows the UK's helplines first.
    member = make_user(email="crisis-member@example.org", display_name="Grey Heron", country="GB")
    other = make_user(email="crisis-other@example.org", display_name="Bright Kestrel")
    group = make_group(name="Both Battles", owner=leader)
    settled = group.held_posts_for_new_members  # their posts are published at once
    for person in (member, other):
        add_member(group, person, approved_post_count=settled)
    # An older, normal item is already waiting: the urgent one must go above it.
    older = thread_services.thread_create(
        acting_user=other,
        group=group,
        title="Cheap supplements",
        body="Message me for cheap supplements that take the edge off, no questions asked.",
    )
    reaction_services.post_report(
        acting_user=member, post=older.posts.get(number=1), reason=Report.Reason.SPAM
    )
    assert list(ReviewItem.objects.values_list("kind", "urgency")) == [
        (ReviewItem.Kind.REPORT, ReviewItem.Urgency.NORMAL)
    ]
    return CrisisJourney(
        member_email=member.email,
        member_name=member.display_name,
        leader_email=leader.email,
        leader_name=leader.display_name,
        other_name=other.display_name,
        group_name=group.name,
        group_slug=group.slug,
        older_excerpt="Message me for cheap supplements",
    )


# --- 1. crisis words in a new thread: a gentle prompt, the post, an urgent item -------


def test_crisis_words_bring_a_gentle_prompt_and_an_urgent_item_in_the_open_queue(
    crisis_journey, people, live_server_url
):
    data = crisis_journey
    base = live_server_url.url
    title = "Tonight is heavy"
    # A near miss recovery talk is full of, then passive ideation, which the first
    # phrase list missed.
    ordinary = "This craving is killing me, so I went running before it got loud."
    crisis = "Nobody would miss me if I was gone. Three weeks sober and it still feels this heavy."

    # 1. The leader has the queue open.
    leader = people("leader")
    open_queue(leader, base, data)

    # 2. Grey Heron starts a thread.
    member = people("member")
    log_in(member, base, data.member_email, data.member_name, f"/groups/{data.group_slug}/")
    expect(member.get_by_role("heading", level=1)).to_have_text(data.group_name)
    member.get_by_role("main").get_by_role("link", name="Discussions", exact=True).click()
    member.get_by_role("main").get_by_role("link", name="Start a thread").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Start a thread")
    prompt = member.locator("#crisis-prompt")
    expect(prompt).to_be_hidden()
    member.get_by_label("Title").fill(title)
    box = member.get_by_label("Your message")

    # Ordinary words ("this craving is killing me") bring no prompt. Proving that something does
    # not appear needs a wait: well past the script's debounce.
    box.press_sequentially(ordinary)
    member.wait_for_timeout(4 * PROMPT_DEBOUNCE_MS)
    expect(prompt).to_be_hidden()

    # Words of crisis bring the gentle prompt, with the helplines, and block nothing.
    box.fill("")
    box.press_sequentially(crisis)
    status = member.get_by_role("status").filter(has_text=PROMPT_OPENING)
    expect(status).to_be_visible()
    expect(prompt).to_have_attribute("role", "status")
    expect(prompt).to_contain_text("You don't have to face it alone, and you can still post.")
    helplines = prompt.get_by_role("link", name="helplines for your country", exact=True)
    expect(helplines).to_be_visible()
    expect(helplines).to_have_attribute("href", "/help/")
    expect(box).to_be_focused()
    expect(box).to_have_value(crisis)
    expect(box).to_be_editable()
    post_button = member.get_by_role("button", name="Post the thread")
    expect(post_button).to_be_enabled()
    assert_no_axe_violations(member)

    # 3. Grey Heron posts anyway; the thread shows the post.
    post_button.click()
    expect(member.get_by_role("heading", level=1)).to_have_text(title)
    post = member.get_by_role("article", name=f"{data.member_name}, post 1", exact=True)
    expect(post).to_contain_text(crisis)
    expect(post).not_to_contain_text("Awaiting approval")

    # 4. Without a reload, the leader's queue shows an urgent item first, above the
    # older normal one.
    items = queue_items(leader)
    expect(items).to_have_count(2)
    top = items.nth(0)
    heading = f"Urgent: Automatic flag · {data.member_name}"
    expect(top.get_by_role("heading")).to_have_text(heading)
    expect(top.locator("strong").first).to_have_text("Urgent:")
    expect(top).to_contain_text("Someone may be at risk")
    expect(items.nth(1).get_by_role("heading")).to_have_text(f"Report · {data.other_name}")
    expect(items.nth(1)).to_contain_text(data.older_excerpt)
    expect(leader.locator("#queue-announcer")).to_have_text("A new urgent item is in the queue.")
    assert_not_reloaded(leader)

    # The leader opens it: the post, and what to do.
    top.get_by_role("link", name=heading, exact=True).click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Urgent: Automatic flag")
    expect(leader.get_by_role("main")).to_contain_text("Someone may be at risk.")
    about = leader.get_by_role("region", name="What this is about")
    expect(about).to_contain_text(f"A post by {data.member_name} in “{title}”")
    expect(about.locator(".post--target")).to_contain_text(crisis)

    assert_no_console_problems(member, leader)


# --- 2. "I need support now": helplines, and the leaders are told --------------------


def test_i_need_support_now_shows_helplines_and_tells_the_leaders(
    crisis_journey, people, live_server_url
):
    data = crisis_journey
    base = live_server_url.url
    note = "Rough night. Could someone check in with me?"

    leader = people("leader")
    open_queue(leader, base, data)

    # 1. From the group's page, Grey Heron presses "I need support now".
    member = people("member")
    log_in(member, base, data.member_email, data.member_name, f"/groups/{data.group_slug}/")
    expect(member.get_by_role("heading", level=1)).to_have_text(data.group_name)
    member.get_by_role("main").get_by_role("link", name="I need support now", exact=True).click()
    expect(member).to_have_url(f"{base}/groups/{data.group_slug}/support/")
    expect(member.get_by_role("heading", level=1)).to_have_text("You're not alone")

    # Help first: the emergency number and helplines for their country (the UK).
    main = member.get_by_role("main")
    expect(main).to_contain_text("call 999 now")
    samaritans = main.get_by_role("listitem").filter(
        has=member.get_by_role("heading", name="Samaritans", exact=True)
    )
    expect(samaritans.get_by_role("link", name="Call 116 123", exact=True)).to_have_attribute(
        "href", "tel:116123"
    )
    expect(
        main.get_by_role(
            "link", name="More help, other countries, and what to do after an overdose"
        )
    ).to_have_attribute("href", "/help/")
    tell = member.get_by_role("region", name=f"Let the peer leaders of {data.group_name} know")
    expect(tell).to_contain_text("Only the leaders see it, not the whole group.")
    assert_no_axe_violations(member)

    # 2. They choose to tell the leaders.
    tell.get_by_label("Anything you'd like the leaders to know (optional)").fill(note)
    tell.get_by_role("button", name="Tell the leaders I need support").click()
    confirmation = tell.get_by_role("status")
    expect(confirmation).to_contain_text(
        "The group's peer leaders have been told and will reach out to you here as soon as "
        "they can."
    )
    expect(confirmation).to_contain_text("They are peers, not a crisis service")
    expect(tell.get_by_role("button", name="Tell the leaders I need support")).to_have_count(0)
    # The helplines are still right there.
    expect(samaritans).to_be_visible()
    assert_no_axe_violations(member)

    # 3. The leader's open queue shows the request first, marked Urgent.
    items = queue_items(leader)
    expect(items).to_have_count(2)
    top = items.nth(0)
    heading = f"Urgent: A member asks for support · {data.member_name}"
    expect(top.get_by_role("heading")).to_have_text(heading)
    expect(top).to_contain_text(note)
    expect(items.nth(1).get_by_role("heading")).to_have_text(f"Report · {data.other_name}")
    expect(leader.locator("#queue-announcer")).to_have_text("A new urgent item is in the queue.")
    assert_not_reloaded(leader)

    top.get_by_role("link", name=heading, exact=True).click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Urgent: A member asks for support")
    about = leader.get_by_role("region", name="What this is about")
    expect(about).to_contain_text(
        f"{data.member_name} pressed “I need support now” and asked for a leader."
    )
    expect(about).to_contain_text(note)

    assert_no_console_problems(member, leader)
