"""Moderation journeys in a real browser against a real server, with several people at
several computers: a member reports a post as "someone may be at risk", the leader's
open queue rings (the /ws/moderation/ doorbell, across processes through Redis) and
shows it at the top, and the leader claims it and hides the post; and a second leader
who finds the item already claimed.

Data is made with the ORM and the services in fixtures that every test lists *before*
``people`` (see test_thread_journeys.py): no ORM call may run once Playwright's sync
loop is alive. The fixtures hand the tests plain strings, never model instances.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from forum.models import Post
from forum.services import reactions as reaction_services
from forum.services import threads as thread_services
from groups.models import Membership, Report, ReviewItem
from tests.browser.conftest import (
    assert_no_axe_violations,
    assert_no_console_problems,
    failed_load,
    log_in,
)
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.browser

THANK_YOU = (
    "Thank you for telling us. The group's peer leaders will look at it. "
    "Only they can see who reported."
)
DONE = "Done. It's in the moderation log."
NOTHING_WAITING = "Nothing needs you right now. Thank you for looking after your group."


def post_article(page, author: str, number: int):
    """A post in a thread: an article named "<author>, post <n>"."""
    return page.get_by_role("article", name=f"{author}, post {number}", exact=True)


def queue_items(page):
    """The entries of the moderation queue, in the order the page lists them."""
    return page.locator("#queue").get_by_role("listitem")


def flash(page):
    """The messages Django shows after a redirect (the page's other status region, on
    the queue, is the visually hidden announcer)."""
    return page.locator(".messages[role=status]")


def announcer(page):
    return page.locator("#queue-announcer")


def wait_for_doorbell(page) -> None:
    """The queue page marks itself live once its socket is open (it refreshes the
    list then): from that moment a doorbell reaches it."""
    expect(page.locator("#queue[data-live=true]")).to_have_count(1)


# --- 1. a report that someone may be at risk, from the thread to the log ------------


@dataclass(frozen=True)
class ReportJourney:
    leader_email: str
    leader_name: str
    reporter_email: str
    reporter_name: str
    author_email: str
    author_name: str
    other_name: str
    group_name: str
    group_slug: str
    thread_title: str
    thread_path: str
    risky_body: str
    older_excerpt: str


@pytest.fixture
def report_journey(transactional_db) -> ReportJourney:
    leader = make_user(email="harbour-light@example.org", display_name="Harbour Light")
    reporter = make_user(email="quiet-fern@example.org", display_name="Quiet Fern")
    author = make_user(email="stone-river@example.org", display_name="Stone River")
    other = make_user(email="bright-kestrel@example.org", display_name="Bright Kestrel")
    group = make_group(name="Steady Shore", owner=leader)
    settled = group.held_posts_for_new_members  # their posts are published at once
    for member in (reporter, author, other):
        add_member(group, member, approved_post_count=settled)

    thread = thread_services.thread_create(
        acting_user=leader,
        group=group,
        title="How are you sleeping?",
        body="Nights are hard for a lot of us. How are you sleeping this week?",
    )
    # Worrying to a peer, but not words of crisis the phrase list is for: only a report
    # brings this one to the leaders.
    risky_body = (
        "I've been handing my guitar and my books to friends this week. "
        "Feels like tidying up before a long trip."
    )
    risky = thread_services.post_create(acting_user=author, thread=thread, body=risky_body)
    assert (risky.state, risky.number) == (Post.State.PUBLISHED, 2)

    # An older, normal item is already waiting: the urgent one must go above it.
    older = thread_services.thread_create(
        acting_user=other,
        group=group,
        title="Cheap supplements",
        body="Message me for cheap supplements that take the edge off, no questions asked.",
    )
    reaction_services.post_report(
        acting_user=author,
        post=older.posts.get(number=1),
        reason=Report.Reason.SPAM,
        note="Looks like selling.",
    )
    # The report above is the only item waiting, and it is not urgent.
    assert list(ReviewItem.objects.values_list("kind", "urgency")) == [
        (ReviewItem.Kind.REPORT, ReviewItem.Urgency.NORMAL)
    ]
    return ReportJourney(
        leader_email=leader.email,
        leader_name=leader.display_name,
        reporter_email=reporter.email,
        reporter_name=reporter.display_name,
        author_email=author.email,
        author_name=author.display_name,
        other_name=other.display_name,
        group_name=group.name,
        group_slug=group.slug,
        thread_title=thread.title,
        thread_path=f"/groups/{group.slug}/threads/{thread.pk}/",
        risky_body=risky_body,
        older_excerpt="Message me for cheap supplements",
    )


def test_risk_report_rings_the_open_queue_and_the_leader_hides_the_post(
    report_journey, people, live_server_url
):
    data = report_journey
    base = live_server_url.url
    note = "They sound like they might hurt themselves. Please check on them."
    reason = (
        "I've hidden this to keep you and the group safe. "
        "Please open Get help now; I'll message you today."
    )

    # 1. The leader opens the queue and keeps it open: only the older item is there.
    leader = people("leader")
    log_in(leader, base, data.leader_email, data.leader_name, "/moderation/")
    expect(leader.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    items = queue_items(leader)
    expect(items).to_have_count(1)
    expect(items.nth(0).get_by_role("heading")).to_have_text(f"Report · {data.other_name}")
    expect(items.nth(0)).to_contain_text(data.older_excerpt)
    expect(items.nth(0)).not_to_contain_text("Urgent")
    wait_for_doorbell(leader)
    queue_url = leader.url
    # A mark on this very document: it survives only if the page is never reloaded.
    leader.evaluate("window.stillTheSamePage = true")

    # 2. Quiet Fern reports Stone River's post from the thread.
    reporter = people("reporter")
    log_in(reporter, base, data.reporter_email, data.reporter_name, data.thread_path)
    expect(reporter.get_by_role("heading", level=1)).to_have_text(data.thread_title)
    risky = post_article(reporter, data.author_name, 2)
    expect(risky).to_contain_text(data.risky_body)
    risky.get_by_role("link", name=f"Report post by {data.author_name}", exact=True).click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Report a post")
    expect(reporter.get_by_role("main")).to_contain_text(
        f"You are reporting a post by {data.author_name}."
    )
    reporter.get_by_label("Someone may be at risk", exact=True).check()
    reporter.get_by_label("Anything else the leaders should know (optional)").fill(note)
    reporter.get_by_role("button", name="Send the report").click()
    expect(flash(reporter)).to_contain_text(THANK_YOU)
    expect(reporter.get_by_role("heading", level=1)).to_have_text(data.thread_title)

    # 3. Without a reload, the leader's queue shows it first, marked Urgent.
    expect(items).to_have_count(2)
    top = items.nth(0)
    expect(top.get_by_role("heading")).to_have_text(f"Urgent: Report · {data.author_name}")
    expect(top.locator("strong").first).to_have_text("Urgent:")
    expect(top).to_contain_text("1 report")
    expect(top).to_contain_text(data.risky_body)
    expect(items.nth(1).get_by_role("heading")).to_have_text(f"Report · {data.other_name}")
    expect(announcer(leader)).to_have_text("A new urgent item is in the queue.")
    assert leader.evaluate("window.stillTheSamePage === true"), "the queue page was reloaded"
    assert_no_axe_violations(leader)

    top.get_by_role("link", name=f"Urgent: Report · {data.author_name}", exact=True).click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Urgent: Report")
    expect(leader.get_by_role("main")).to_contain_text("Someone may be at risk.")
    about = leader.get_by_role("region", name="What this is about")
    expect(about).to_contain_text(f"A post by {data.author_name} in “{data.thread_title}”")
    expect(about.locator(".post--target")).to_contain_text(data.risky_body)
    reports = leader.get_by_role("region", name="Reports")
    expect(reports.get_by_role("listitem")).to_have_text(
        f"Someone may be at risk · from {data.reporter_name}: “{note}”"
    )
    handling = leader.get_by_role("region", name="Who is handling it")
    handling.get_by_role("button", name="Claim it").click()
    expect(flash(leader)).to_contain_text("It's yours for the next 15 minutes.")
    expect(handling).to_contain_text(re.compile(r"You have claimed this until \d\d:\d\d\."))
    expect(handling.get_by_role("button", name="Claim it")).to_have_count(0)
    expect(handling.get_by_role("button", name="Release it")).to_be_visible()
    assert_no_axe_violations(leader)

    hide = leader.get_by_role("group", name="Hide the post")
    hide.get_by_label("Reason the member will see").fill(reason)
    hide.get_by_role("button", name="Hide the post").click()
    expect(leader).to_have_url(queue_url)
    expect(flash(leader)).to_contain_text(DONE)
    expect(items).to_have_count(1)
    expect(items.nth(0).get_by_role("heading")).to_have_text(f"Report · {data.other_name}")

    # 4. Stone River sees the tombstone with the leader's reason...
    author = people("author")
    log_in(author, base, data.author_email, data.author_name, data.thread_path)
    hidden = post_article(author, data.author_name, 2)
    tombstone = hidden.locator(".tombstone")
    expect(tombstone).to_have_text(
        f"Removed by a peer leader. The reason they gave you: “{reason}”"
    )
    expect(hidden).not_to_contain_text(data.risky_body)
    assert_no_axe_violations(author)

    # ...Quiet Fern sees it removed, without the reason meant for Stone River...
    reporter.reload()
    seen = post_article(reporter, data.author_name, 2)
    expect(seen.locator(".tombstone")).to_have_text("Removed by a peer leader.")
    expect(seen).not_to_contain_text(data.risky_body)
    expect(seen).not_to_contain_text("The reason they gave you")
    expect(reporter.get_by_role("main")).not_to_contain_text(reason)
    expect(seen.get_by_role("link", name=re.compile("Report"))).to_have_count(0)
    assert_no_axe_violations(reporter)

    # ...and learns on "Your reports" that the leaders acted on it.
    reporter.goto(f"{base}/moderation/my-reports/")
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Your reports")
    card = reporter.get_by_role("main").get_by_role("listitem")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Someone may be at risk")
    expect(card).to_contain_text(f"A post in “{data.thread_title}”")
    expect(card).to_contain_text("The leaders acted on it. Thank you.")
    expect(card).not_to_contain_text(data.author_name)

    # 5. The owner's moderation log records it, with the reason.
    leader.goto(f"{base}/groups/{data.group_slug}/")
    tools = leader.get_by_role("navigation", name="Leading this group")
    tools.get_by_role("link", name="Moderation log", exact=True).click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Moderation log")
    row = leader.get_by_role("row").filter(has_text="hid a post")
    expect(row).to_have_count(1)
    cells = row.get_by_role("cell")
    expect(cells.nth(1)).to_have_text(data.leader_name)
    expect(cells.nth(2)).to_have_text("hid a post")
    expect(cells.nth(3)).to_have_text(data.author_name)
    expect(cells.nth(4)).to_have_text(reason)
    # On a phone the wide log scrolls sideways, and a keyboard can reach it to do so.
    leader.set_viewport_size({"width": 320, "height": 640})
    region = leader.get_by_role("region", name="Moderation log entries")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    region.focus()
    expect(region).to_be_focused()
    leader.keyboard.press("ArrowRight")
    leader.wait_for_function("() => document.querySelector('.table-scroll').scrollLeft > 0")
    assert_no_axe_violations(leader)

    assert_no_console_problems(leader, reporter, author)


# --- 2. a second leader finds the item already claimed -----------------------------


@dataclass(frozen=True)
class ClaimedJourney:
    owner_email: str
    owner_name: str
    leader_email: str
    leader_name: str
    author_name: str
    item_path: str
    body: str


@pytest.fixture
def claimed_journey(transactional_db) -> ClaimedJourney:
    owner = make_user(email="claim-owner@example.org", display_name="Harbour Light")
    leader = make_user(email="claim-leader@example.org", display_name="Tide Keeper")
    author = make_user(email="claim-author@example.org", display_name="Stone River")
    reporter = make_user(email="claim-reporter@example.org", display_name="Quiet Fern")
    group = make_group(name="Calm Waters", owner=owner)
    add_member(group, leader, role=Membership.Role.LEADER)
    settled = group.held_posts_for_new_members
    for member in (author, reporter):
        add_member(group, member, approved_post_count=settled)
    body = "Anyone want to meet up after the meeting for a drink? Just one."
    thread = thread_services.thread_create(
        acting_user=author, group=group, title="After the meeting", body=body
    )
    report = reaction_services.post_report(
        acting_user=reporter,
        post=thread.posts.get(number=1),
        reason=Report.Reason.TRIGGERING,
    )
    return ClaimedJourney(
        owner_email=owner.email,
        owner_name=owner.display_name,
        leader_email=leader.email,
        leader_name=leader.display_name,
        author_name=author.display_name,
        item_path=f"/moderation/items/{report.review_item_id}/",
        body=body,
    )


def test_a_leader_cannot_take_an_item_another_leader_has_claimed(
    claimed_journey, people, live_server_url
):
    data = claimed_journey
    base = live_server_url.url
    handling_text = re.compile(
        rf"{re.escape(data.owner_name)} is handling this \(until \d\d:\d\d\)\."
    )
    dealing = f"{data.owner_name} is dealing with this right now."

    # Tide Keeper opens the item while it is still free.
    second = people("second leader")
    log_in(second, base, data.leader_email, data.leader_name, data.item_path)
    expect(second.get_by_role("heading", level=1)).to_have_text("Report")
    second_handling = second.get_by_role("region", name="Who is handling it")
    stale_claim = second_handling.get_by_role("button", name="Claim it")
    expect(stale_claim).to_be_visible()

    # Meanwhile Harbour Light claims it.
    first = people("first leader")
    log_in(first, base, data.owner_email, data.owner_name, data.item_path)
    first.get_by_role("region", name="Who is handling it").get_by_role(
        "button", name="Claim it"
    ).click()
    expect(first.get_by_role("region", name="Who is handling it")).to_contain_text(
        "You have claimed this until"
    )

    # Tide Keeper's Claim button (from before) is refused, kindly and by name.
    stale_claim.click()
    expect(flash(second)).to_contain_text(dealing)
    expect(second_handling).to_contain_text(handling_text)
    expect(second_handling.get_by_role("button", name="Claim it")).to_have_count(0)
    expect(second_handling).not_to_contain_text("You have claimed this")
    assert_no_axe_violations(second)

    # Opening the item afresh: still Harbour Light's, still no Claim button.
    second.goto(f"{base}{data.item_path}")
    expect(second_handling).to_contain_text(handling_text)
    expect(second.get_by_role("button", name="Claim it")).to_have_count(0)
    expect(flash(second)).to_have_count(0)

    # Acting without the claim is refused too, and nothing changes.
    hide = second.get_by_role("group", name="Hide the post")
    hide.get_by_label("Reason the member will see").fill("Talking about drinking.")
    hide.get_by_role("button", name="Hide the post").click()
    alert = second.get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    expect(alert).to_contain_text(dealing)
    expect(alert).to_be_focused()
    expect(second_handling).to_contain_text(handling_text)
    assert_no_axe_violations(second)

    # The queue says who is on it.
    second.goto(f"{base}/moderation/")
    entry = queue_items(second)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(f"{data.owner_name} is on it")
    expect(entry).to_contain_text(data.body)

    assert_no_console_problems(
        first,
        second,
        # The refused decision answers 400 (the item page with its error summary), as
        # designed; Chromium logs every 4xx document.
        expected=(failed_load(f"{base}{data.item_path}act/", "400 (Bad Request)"),),
    )
