"""Coming back and being told, in a real browser against a real server, with two
people at two computers: a leader approves a join request and the member sees it on
their home and in the bell without a reload; a member reports that someone may be at
risk while the leader is on an unrelated page, and the leader's page announces it.

Data is made in fixtures listed before ``people`` (no ORM once Playwright runs)."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from forum.services import threads as thread_services
from groups.models import Group
from groups.services import memberships
from tests.browser.conftest import assert_no_axe_violations, assert_no_console_problems, log_in
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Place:
    leader_email: str
    leader_name: str
    member_email: str
    member_name: str
    reporter_email: str
    reporter_name: str
    group_name: str
    group_slug: str
    thread_path: str


@pytest.fixture
def place(transactional_db) -> Place:
    leader = make_user(email="lantern-keeper@example.org", display_name="Lantern Keeper")
    member = make_user(email="new-heron@example.org", display_name="New Heron")
    reporter = make_user(email="kind-otter@example.org", display_name="Kind Otter")
    group = make_group(name="Harbour Evenings", owner=leader,
                       join_policy=Group.JoinPolicy.REQUEST)  # fmt: skip
    add_member(group, reporter, approved_post_count=group.held_posts_for_new_members)
    memberships.membership_request(acting_user=member, group=group, accepted_rules=True,
                                   message="I'd like to join, please.")  # fmt: skip
    author = make_user(email="quiet-stone@example.org", display_name="Quiet Stone")
    add_member(group, author, approved_post_count=group.held_posts_for_new_members)
    thread = thread_services.thread_create(
        acting_user=author, group=group, title="How was today?", body="Tell us about your day."
    )
    return Place(
        leader_email=leader.email, leader_name=leader.display_name,
        member_email=member.email, member_name=member.display_name,
        reporter_email=reporter.email, reporter_name=reporter.display_name,
        group_name=group.name, group_slug=group.slug,
        thread_path=f"/groups/{group.slug}/threads/{thread.pk}/",
    )  # fmt: skip


def bell(page):
    return page.get_by_role("navigation", name="Main").locator("#bell")


def wait_for_bell_socket(page) -> None:
    expect(page.locator("#bell-live[data-connected=true]")).to_have_count(1)


def test_a_leader_approves_a_join_request_and_the_member_sees_it_live_on_their_home(
    place, people, live_server_url
):
    base = live_server_url.url
    member = people("member")
    log_in(member, base, place.member_email, place.member_name, "/")
    home = member.get_by_role("main")
    expect(home).to_contain_text(
        f"Your request to join {place.group_name} is waiting. A peer leader will look at it soon."
    )
    expect(home).to_contain_text("Your first posts in a group wait for a peer leader")
    # A secondary button looks secondary (white), not like the main action (green).
    skip = member.get_by_role("button", name="Skip for now")
    save = member.get_by_role("button", name="Save my time zone")
    expect(skip).to_have_css("background-color", "rgb(255, 255, 255)")
    expect(save).to_have_css("background-color", "rgb(15, 92, 77)")
    assert_no_axe_violations(member)
    wait_for_bell_socket(member)
    member.evaluate("window.stillTheSamePage = true")

    leader = people("leader")
    log_in(
        leader, base, place.leader_email, place.leader_name, f"/groups/{place.group_slug}/requests/"
    )
    leader.get_by_role("button", name=f"Approve {place.member_name}").click()

    told = f"Welcome: your request to join {place.group_name} was approved."
    expect(member.locator("#home-live")).to_contain_text(told, timeout=10_000)
    expect(bell(member)).to_have_accessible_name("Notifications 1 unread")
    expect(member.locator("#bell-polite")).to_have_text("You have 1 unread notification.")
    assert member.evaluate("window.stillTheSamePage === true"), "the home was reloaded"

    bell(member).click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(member.get_by_role("main")).to_contain_text(told)
    assert_no_axe_violations(member)
    member.get_by_role("contentinfo").get_by_role("link", name="Accessibility").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    assert_no_axe_violations(member)
    member.goto(f"{base}/notifications/settings/")
    expect(member.get_by_role("heading", level=1)).to_have_text("What you are told, and how")
    member.get_by_label("Quiet hours start").fill("22:00")
    member.get_by_role("button", name="Save my choices").click()
    expect(member).to_have_title("Error: What you are told, and how · peersupport")
    expect(member.get_by_role("alert")).to_contain_text("Enter both times, or leave both empty.")
    expect(member.get_by_label("Quiet hours start")).to_have_value("22:00")
    assert_no_axe_violations(member)
    assert_no_console_problems(member, leader)


def test_an_urgent_report_is_announced_to_the_leader_on_an_unrelated_page(
    place, people, live_server_url
):
    base = live_server_url.url
    leader = people("leader")
    log_in(leader, base, place.leader_email, place.leader_name, "/help/")
    wait_for_bell_socket(leader)

    reporter = people("reporter")
    log_in(reporter, base, place.reporter_email, place.reporter_name, place.thread_path)
    reporter.get_by_role("link", name="Report post by Quiet Stone", exact=True).click()
    reporter.get_by_label("Someone may be at risk", exact=True).check()
    reporter.get_by_role("button", name="Send the report").click()

    alert = leader.get_by_role("alert")
    expect(alert).to_contain_text(f"Urgent: someone in {place.group_name} may be at risk.",
                                  timeout=10_000)  # fmt: skip
    # The join request already waiting, and now the urgent item.
    expect(bell(leader)).to_have_accessible_name("Notifications 2 unread")
    assert_no_axe_violations(leader)
    alert.get_by_role("link", name="See it").click()
    expect(leader.get_by_role("heading", level=1)).to_contain_text("Report")
    assert_no_console_problems(leader, reporter)
