"""The moderation queue: what enters it (reports, held posts, automatic flags, join
requests, appeals), one live item per target, who sees which items and in what order,
claims, every decision's effect on what the author and other members see, sanctions,
appeals, escalation of urgent items, site-wide suspension, and the audit log.

Services are called directly where an invariant is checked; pages are fetched as the
people concerned where what matters is what they see. Times are passed as `now` where
the queue's clock matters, so nothing here waits or depends on the wall clock."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import User
from forum.models import Post
from forum.services import posts as post_services
from forum.services import reactions as reaction_services
from groups import permissions
from groups.models import (
    Group,
    Membership,
    ModerationLogEntry,
    Report,
    ReviewItem,
    Sanction,
    WatchedWord,
)
from groups.permissions import Capability
from groups.services import memberships as membership_services
from groups.services import sanctions as sanction_services
from moderation.models import Appeal
from moderation.services import appeals as appeal_services
from moderation.services import claims as claim_services
from moderation.services import decisions as decision_services
from moderation.services import escalation as escalation_services
from moderation.services import support as support_services
from tests.factories import (
    Community,
    fresh,
    make_group,
    make_staff,
    membership_of,
    person,
    report_post,
    signed_in,
)
from tests.moderation.helpers import (
    IN_MEMORY_LAYER,
    MY_REPORTS_URL,
    QUEUE_URL,
    act,
    item_url,
    live_item,
    log_rows,
    queue_item_ids,
    text_of,
)

pytestmark = pytest.mark.django_db

Kind = ReviewItem.Kind
Status = ReviewItem.Status
Urgency = ReviewItem.Urgency
Log = ModerationLogEntry.Action
MINUTE = datetime.timedelta(minutes=1)
REASON = "Please keep it kind: this is a recovery space."


@pytest.fixture(autouse=True)
def in_memory_channel_layer(settings):
    """Decisions ring the queue's doorbell after commit; keep it in this process."""
    settings.CHANNEL_LAYERS = IN_MEMORY_LAYER


@pytest.fixture
def thread(world):
    """A thread started by the owner, with one published post."""
    return world.start(world.owner, title="Evenings are the hardest", body="How do you cope?")


@pytest.fixture
def post(world, thread):
    """A settled member's published reply: the post that gets reported."""
    return world.reply(thread, world.member, "Some harsh words for everyone here.")


@pytest.fixture
def admin():
    return make_staff(label="Admin")


def report_item(post, reporter, reason="harassment") -> ReviewItem:
    return report_post(post, reporter, reason).review_item


def ask_to_join(world, message="I'm 30 days sober and would like to join."):
    world.group.join_policy = Group.JoinPolicy.REQUEST
    world.group.save(update_fields=["join_policy"])
    seeker = person("Seeker")
    request = membership_services.membership_request(
        acting_user=seeker, group=world.group, message=message, accepted_rules=True
    )
    return seeker, request


def when(value) -> str:
    """A time as the pages show it."""
    return dateformat.format(timezone.localtime(value), "j F Y, H:i")


def set_waiting_since(item: ReviewItem, moment) -> None:
    ReviewItem.objects.filter(pk=item.pk).update(created_at=moment)


# Reports enter the queue


def test_a_post_report_opens_one_live_item_with_its_reason_and_a_snapshot(world, post):
    report = report_post(post, world.other, "harassment", note="Unkind to a newcomer.")

    item = ReviewItem.objects.get(kind=Kind.REPORT, target_key=f"post:{post.pk}")
    assert report.review_item == item
    assert item.status == Status.PENDING
    assert (item.group, item.target_key, item.subject) == (
        world.group,
        f"post:{post.pk}",
        world.member,
    )
    assert item.reasons == ["harassment"]
    assert item.urgency == Urgency.NORMAL
    assert "Some harsh words for everyone here." in item.snapshot
    assert "Evenings are the hardest" in item.snapshot
    assert [(e.action, e.actor_id) for e in item.events.all()] == [("created", world.other.pk)]


def test_more_reports_on_a_post_join_its_one_live_item(world, post):
    first = report_post(post, world.other, "harassment")
    second = report_post(post, world.newcomer, "spam")
    third = report_post(post, world.leader, "harassment")

    item = ReviewItem.objects.get(kind=Kind.REPORT, target_key=f"post:{post.pk}")
    assert first.review_item_id == second.review_item_id == third.review_item_id == item.pk
    assert item.reasons == ["harassment", "spam"]
    assert item.reports.count() == 3
    assert [e.action for e in item.events.all()] == ["created", "reported again", "reported again"]


def test_each_member_reports_a_post_once_and_a_second_try_changes_nothing(world, post):
    report_post(post, world.other, "harassment")

    with pytest.raises(ValidationError) as again:
        report_post(post, world.other, "risk", note="Actually I'm worried.")

    assert again.value.code == "already_reported"
    item = live_item(Kind.REPORT, f"post:{post.pk}")
    assert item.reasons == ["harassment"]
    assert item.urgency == Urgency.NORMAL
    assert Report.objects.filter(target_key=f"post:{post.pk}").count() == 1


def test_a_member_report_is_about_the_member_and_each_reporter_makes_it_once(world):
    report = support_services.member_report(
        acting_user=world.other, group=world.group, member=world.member,
        reason="harassment", note="Keeps messaging me.",
    )  # fmt: skip

    item = report.review_item
    assert item.kind == Kind.REPORT
    assert item.target_key == f"member:{world.member.pk}:group:{world.group.pk}"
    assert (item.subject, item.target_type, item.group) == (world.member, "member", world.group)
    with pytest.raises(ValidationError) as again:
        support_services.member_report(
            acting_user=world.other, group=world.group, member=world.member, reason="risk"
        )
    assert again.value.code == "already_reported"
    with pytest.raises(ValidationError, match="can't report yourself"):
        support_services.member_report(
            acting_user=world.member, group=world.group, member=world.member, reason="spam"
        )

    support_services.member_report(
        acting_user=world.newcomer, group=world.group, member=world.member, reason="risk"
    )
    item.refresh_from_db()
    assert item.reports.count() == 2
    assert item.reasons == ["harassment", "risk"]
    assert item.urgency == Urgency.URGENT


def test_a_report_that_someone_may_be_at_risk_makes_the_item_urgent(world, post):
    item = report_item(post, world.other, "triggering")
    assert item.urgency == Urgency.NORMAL

    item = report_item(post, world.newcomer, "risk")

    assert item.urgency == Urgency.URGENT
    assert live_item(Kind.REPORT, f"post:{post.pk}").urgency == Urgency.URGENT


def test_reporting_a_post_or_a_member_through_the_pages_thanks_the_reporter(world, post):
    client = signed_in(world.other)

    on_post = client.post(world.url("forum:report", post.pk), {"reason": "risk"}, follow=True)
    member_url = reverse(
        "moderation:member_report",
        args=[world.group.slug, membership_of(world.group, world.member).pk],
    )
    on_member = client.post(member_url, {"reason": "harassment", "note": "DMs."}, follow=True)

    assert "Thank you for telling us." in text_of(on_post)
    assert "Thank you for telling us." in text_of(on_member)
    assert "Only they can see who reported." in text_of(on_member)
    assert sorted(Report.objects.filter(reporter=world.other).values_list("reason", flat=True)) == [
        "harassment",
        "risk",
    ]


def test_a_report_needs_one_of_the_listed_reasons(world, post):
    client = signed_in(world.other)

    client.post(world.url("forum:report", post.pk), {"reason": "bored"})
    member_url = reverse(
        "moderation:member_report",
        args=[world.group.slug, membership_of(world.group, world.member).pk],
    )
    client.post(member_url, {"reason": ""})

    assert not Report.objects.exists()
    assert not ReviewItem.objects.filter(kind=Kind.REPORT).exists()


def test_only_leaders_and_admins_see_who_reported(world, post, admin):
    report_post(post, world.other, "harassment", note="Unkind words.")
    item = live_item(Kind.REPORT, f"post:{post.pk}")
    name = world.other.display_name

    for viewer in (world.leader, world.owner, admin):
        page = signed_in(viewer).get(item_url(item))
        assert page.status_code == 200
        assert name in text_of(page)
        assert "Unkind words." in text_of(page)

    for viewer in (world.member, world.newcomer, world.muted, world.outsider):
        client = signed_in(viewer)
        assert client.get(item_url(item)).status_code == 404
        assert name not in text_of(client.get(MY_REPORTS_URL))
        assert name not in text_of(client.get(world.thread_url(post.thread)))
        assert name not in text_of(client.get(world.url("groups:detail")))


@pytest.mark.parametrize(
    "action, kwargs, outcome",
    [
        (None, {}, "A peer leader is looking at it."),
        ("keep", {}, "The leaders looked and decided it could stay."),
        ("dismiss", {}, "The leaders looked and decided no action was needed."),
        ("hide", {"reason": REASON}, "The leaders acted on it. Thank you."),
        ("warn", {"reason": REASON}, "The leaders acted on it. Thank you."),
    ],
)
def test_the_reporter_sees_what_became_of_their_report(world, post, action, kwargs, outcome):
    OUTCOMES = {
        "A peer leader is looking at it.",
        "The leaders looked and decided it could stay.",
        "The leaders looked and decided no action was needed.",
        "The leaders acted on it. Thank you.",
    }
    item = report_item(post, world.other)
    if action:
        act(item, world.leader, action, **kwargs)

    page = text_of(signed_in(world.other).get(MY_REPORTS_URL))

    assert "Thank you for looking out for others." in page
    assert "Harassment" in page
    assert "A post in “Evenings are the hardest”" in page
    assert outcome in page
    assert not [other for other in OUTCOMES - {outcome} if other in page]
    assert "You haven't reported anything." in text_of(signed_in(world.member).get(MY_REPORTS_URL))


def test_a_member_report_shows_on_my_reports_with_the_member_named(world):
    support_services.member_report(
        acting_user=world.other, group=world.group, member=world.member, reason="harassment"
    )

    page = text_of(signed_in(world.other).get(MY_REPORTS_URL))

    assert f"About {world.member.public_name}" in page
    assert "A peer leader is looking at it." in page


# Held posts and join requests enter the queue


def test_a_new_members_first_post_waits_in_the_queue_unseen_by_others(world, thread):
    post = world.reply(thread, world.newcomer, "Hi all, first time posting here.")

    assert post.state == Post.State.HELD
    item = live_item(Kind.HELD_POST, f"post:{post.pk}")
    assert item.reasons == ["new member's first posts"]
    assert (item.subject, item.target_key, item.group) == (
        world.newcomer,
        f"post:{post.pk}",
        world.group,
    )
    assert "Hi all, first time posting here." in item.snapshot
    assert item in permissions.live_items_visible_to(world.leader)
    other_member_sees = text_of(signed_in(world.member).get(world.thread_url(thread)))
    assert "first time posting" not in other_member_sees


def test_a_new_members_new_thread_waits_in_the_queue_and_appears_once_approved(world):
    thread = world.start(world.newcomer, title="Scared of weekends", body="Any tips?")
    thread.refresh_from_db()
    item = live_item(Kind.HELD_POST, f"post:{thread.posts.get().pk}")

    assert not thread.is_published
    assert "Scared of weekends" in item.snapshot
    assert "Scared of weekends" not in text_of(signed_in(world.member).get(world.threads_url()))

    act(item, world.leader, "approve")

    thread.refresh_from_db()
    assert thread.is_published
    assert "Scared of weekends" in text_of(signed_in(world.member).get(world.threads_url()))


def test_a_post_caught_by_a_hold_rule_waits_in_the_queue_with_the_rules_named(world, thread):
    WatchedWord.objects.create(group=world.group, phrase="plug", action=WatchedWord.Action.HOLD)

    post = world.reply(thread, world.member, "Ask my plug, or call 07700 900123.")

    assert post.state == Post.State.HELD
    assert post.number is None
    item = live_item(Kind.HELD_POST, f"post:{post.pk}")
    assert item.reasons == ["watched word “plug”; possible phone number"]
    assert "07700" not in text_of(signed_in(world.other).get(world.thread_url(thread)))


def test_a_flagged_post_is_published_and_enters_the_queue_as_an_automatic_flag(world, thread):
    WatchedWord.objects.create(group=None, phrase="relapse*", action=WatchedWord.Action.FLAG)

    post = world.reply(thread, world.member, "I relapsed last night and feel awful.")

    assert post.state == Post.State.PUBLISHED
    assert post.number == 2
    item = live_item(Kind.AUTO_FLAG, f"post:{post.pk}")
    assert item.reasons == ["watched word “relapse*”"]
    assert item.subject == world.member
    assert [(e.action, e.actor_id) for e in item.events.all()] == [("created", None)]
    assert "I relapsed last night" in text_of(signed_in(world.other).get(world.thread_url(thread)))


def test_a_blocked_word_refuses_the_post_with_a_message_and_queues_nothing(world, thread):
    WatchedWord.objects.create(
        group=world.group, phrase="pm me", action=WatchedWord.Action.BLOCK,
        message="Please keep conversations in the group.",
    )  # fmt: skip

    with pytest.raises(ValidationError) as refused:
        world.reply(thread, world.member, "PM   me for details")
    page = signed_in(world.member).post(
        reverse("forum:reply", args=[world.group.slug, thread.pk]), {"body": "pm me, friend"}
    )

    assert refused.value.message_dict == {"body": ["Please keep conversations in the group."]}
    assert page.status_code == 400
    assert "Please keep conversations in the group." in text_of(page)
    assert not Post.objects.filter(author=world.member).exists()
    assert not ReviewItem.objects.exists()


def test_a_join_request_enters_the_queue_and_approving_it_there_lets_them_in(world):
    seeker, request = ask_to_join(world)
    item = live_item(Kind.JOIN_REQUEST, f"membership:{request.pk}")

    assert (item.subject, item.target_key, item.group) == (
        seeker,
        f"membership:{request.pk}",
        world.group,
    )
    assert item.snapshot == "I'm 30 days sober and would like to join."

    act(item, world.leader, "approve")

    request.refresh_from_db()
    item.refresh_from_db()
    assert request.state == Membership.State.ACTIVE
    assert (item.status, item.decision, item.decided_by) == (
        Status.RESOLVED,
        "approve",
        world.leader,
    )
    assert permissions.can(fresh(seeker), Capability.POST, world.group)


def test_declining_a_join_request_in_the_queue_shows_the_reason_to_the_person(world):
    seeker, request = ask_to_join(world)

    act(
        live_item(Kind.JOIN_REQUEST, f"membership:{request.pk}"), world.leader, "decline",
        reason="This group is for parents; try Sober Mornings.",
    )  # fmt: skip

    request.refresh_from_db()
    assert request.state == Membership.State.DECLINED
    page = text_of(signed_in(seeker).get(world.url("groups:detail")))
    assert "Your last request to join was declined." in page
    assert "This group is for parents; try Sober Mornings." in page


def test_answering_a_join_request_on_the_requests_page_closes_its_queue_item(world):
    _seeker, request = ask_to_join(world)

    membership_services.membership_approve(acting_user=world.leader, membership=request)

    item = ReviewItem.objects.get(kind=Kind.JOIN_REQUEST, target_key=f"membership:{request.pk}")
    assert (item.status, item.decision, item.decided_by) == (
        Status.RESOLVED,
        "approve",
        world.leader,
    )
    assert item not in permissions.live_items_visible_to(world.leader)


def test_withdrawing_a_join_request_takes_it_out_of_the_queue(world):
    seeker, request = ask_to_join(world)

    membership_services.membership_withdraw(acting_user=seeker, group=world.group)

    item = ReviewItem.objects.get(kind=Kind.JOIN_REQUEST, target_key=f"membership:{request.pk}")
    assert (item.status, item.decision) == (Status.DISMISSED, "withdrawn")


def test_approving_a_held_post_on_the_held_page_closes_its_queue_item(world, thread):
    post = world.reply(thread, world.newcomer, "Hello from a newcomer.")

    post_services.post_approve(acting_user=world.owner, post=post)

    item = ReviewItem.objects.get(kind=Kind.HELD_POST, target_key=f"post:{post.pk}")
    assert (item.status, item.decision, item.decided_by) == (
        Status.RESOLVED,
        "approve",
        world.owner,
    )


# One live item per target and kind; reopening


def test_a_new_report_on_a_resolved_post_reopens_the_same_item(world, post):
    first = report_item(post, world.other)
    act(first, world.leader, "keep")
    first.refresh_from_db()
    assert first.status == Status.RESOLVED

    reopened = report_item(post, world.newcomer, "risk")

    assert reopened.pk == first.pk
    reopened.refresh_from_db()
    assert reopened.status == Status.PENDING
    assert reopened.reopened_at is not None
    assert reopened.reopened_at >= first.decided_at
    assert (reopened.decision, reopened.claimed_by) == ("", None)
    assert reopened.urgency == Urgency.URGENT
    assert reopened.reasons == ["harassment", "risk"]
    assert [e.action for e in reopened.events.all()][-1] == "reopened"
    assert ReviewItem.objects.filter(kind=Kind.REPORT, target_key=f"post:{post.pk}").count() == 1
    assert reopened in permissions.live_items_visible_to(world.leader)
    with pytest.raises(ValidationError) as again:
        report_post(post, world.other, "spam")
    assert again.value.code == "already_reported"


def test_a_new_report_on_a_dismissed_member_reopens_the_same_item(world):
    first = support_services.member_report(
        acting_user=world.other, group=world.group, member=world.member, reason="spam"
    ).review_item
    act(first, world.leader, "dismiss")

    again = support_services.member_report(
        acting_user=world.newcomer, group=world.group, member=world.member, reason="harassment"
    ).review_item

    assert again.pk == first.pk
    assert live_item(Kind.REPORT, first.target_key).pk == first.pk


def test_the_database_allows_only_one_live_item_per_target_and_kind(world, post):
    report_post(post, world.other)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewItem.objects.create(kind=Kind.REPORT, target_key=f"post:{post.pk}", group=world.group)

    # Another kind of item about the same post is its own item.
    ReviewItem.objects.create(kind=Kind.AUTO_FLAG, target_key=f"post:{post.pk}", group=world.group)
    assert ReviewItem.objects.filter(target_key=f"post:{post.pk}").count() == 2


# Who sees which items, and in what order


def test_leaders_see_their_groups_items_and_admins_see_every_item(world, post, admin):
    elsewhere = Community()
    their_post = elsewhere.reply(elsewhere.start(elsewhere.owner), elsewhere.member, "Elsewhere.")
    here = report_item(post, world.other)
    there = report_item(their_post, elsewhere.other)

    assert set(permissions.live_items_visible_to(world.leader)) == {here}
    assert set(permissions.live_items_visible_to(elsewhere.owner)) == {there}
    assert {here, there} <= set(permissions.live_items_visible_to(admin))
    assert queue_item_ids(signed_in(world.leader).get(QUEUE_URL).text) == [here.pk]
    assert {here.pk, there.pk} <= set(queue_item_ids(signed_in(admin).get(QUEUE_URL).text))
    assert signed_in(world.leader).get(item_url(there)).status_code == 404
    with pytest.raises(PermissionDenied):
        claim_services.item_claim(acting_user=world.leader, item=there)
    with pytest.raises(PermissionDenied):
        act(there, world.leader, "dismiss")
    there.refresh_from_db()
    assert (there.status, there.claimed_by) == (Status.PENDING, None)


@pytest.mark.parametrize("who", ["member", "newcomer", "muted", "outsider"])
def test_people_who_lead_no_group_cannot_open_or_touch_the_queue(world, post, who):
    item = report_item(post, world.other)
    client = signed_in(getattr(world, who))

    assert client.get(QUEUE_URL).status_code == 403
    assert client.get(item_url(item)).status_code == 404
    assert client.post(reverse("moderation:claim", args=[item.pk])).status_code == 404
    act_url = reverse("moderation:act", args=[item.pk])
    assert client.post(act_url, {"action": "dismiss"}).status_code == 404
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Status.PENDING, None)


def test_anonymous_visitors_are_sent_to_log_in(world, post):
    item = report_item(post, world.other)
    anonymous = signed_in(world.member)
    anonymous.logout()

    for url in (QUEUE_URL, item_url(item), MY_REPORTS_URL):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response.url


def test_the_queue_lists_urgent_items_first_then_the_oldest(world, thread):
    now = timezone.now()
    posts = [world.reply(thread, author, f"Post {n}.") for n, author in
             enumerate([world.member, world.member, world.other, world.other])]  # fmt: skip
    held = world.reply(thread, world.newcomer, "A held post.")
    old_normal = report_item(posts[0], world.leader, "spam")
    new_urgent = report_item(posts[1], world.leader, "risk")
    newest_normal = report_item(posts[2], world.leader, "harassment")
    old_urgent = report_item(posts[3], world.leader, "risk")
    held_item = live_item(Kind.HELD_POST, f"post:{held.pk}")
    set_waiting_since(old_normal, now - 180 * MINUTE)
    set_waiting_since(held_item, now - 90 * MINUTE)
    set_waiting_since(new_urgent, now - 10 * MINUTE)
    set_waiting_since(newest_normal, now - 1 * MINUTE)
    set_waiting_since(old_urgent, now - 120 * MINUTE)

    page = signed_in(world.leader).get(QUEUE_URL)

    assert queue_item_ids(page.text) == [
        old_urgent.pk, new_urgent.pk, old_normal.pk, held_item.pk, newest_normal.pk,
    ]  # fmt: skip
    assert page.text.count("queue-item--urgent") == 2


def test_a_reopened_item_waits_in_the_queue_from_when_it_was_reopened(world, thread):
    first_post = world.reply(thread, world.member, "First.")
    second_post = world.reply(thread, world.other, "Second.")
    now = timezone.now()
    reopened = report_item(first_post, world.leader)
    waiting = report_item(second_post, world.leader)
    set_waiting_since(reopened, now - 180 * MINUTE)
    set_waiting_since(waiting, now - 60 * MINUTE)
    act(reopened, world.owner, "keep")

    report_item(first_post, world.newcomer, "spam")

    assert queue_item_ids(signed_in(world.owner).get(QUEUE_URL).text) == [
        waiting.pk,
        reopened.pk,
    ]


def test_the_queue_filters_by_group_kind_and_reason(world, thread, admin):
    elsewhere = Community()
    their_post = elsewhere.reply(elsewhere.start(elsewhere.owner), elsewhere.member, "Elsewhere.")
    spam = report_item(world.reply(thread, world.member, "Spam?"), world.other, "spam")
    risk = report_item(world.reply(thread, world.member, "Risk?"), world.other, "risk")
    held = live_item(Kind.HELD_POST, f"post:{world.reply(thread, world.newcomer, 'Held.').pk}")
    there = report_item(their_post, elsewhere.other, "spam")
    ours = {spam.pk, risk.pk, held.pk, there.pk}
    client = signed_in(admin)

    def listed(**query) -> set[int]:
        return set(queue_item_ids(client.get(QUEUE_URL, query).text)) & ours

    assert listed() == ours
    assert listed(group=world.group.slug) == {spam.pk, risk.pk, held.pk}
    assert listed(group=elsewhere.group.slug) == {there.pk}
    assert listed(kind="held_post") == {held.pk}
    assert listed(kind="report") == {spam.pk, risk.pk, there.pk}
    assert listed(reason="spam") == {spam.pk, there.pk}
    assert listed(reason="risk", group=world.group.slug) == {risk.pk}
    assert listed(kind="report", reason="harassment") == set()
    assert listed(kind="not-a-kind", reason="not-a-reason") == ours


def test_the_group_filter_offers_only_the_groups_the_leader_leads(world, post):
    elsewhere = Community()
    their_post = elsewhere.reply(elsewhere.start(elsewhere.owner), elsewhere.member, "Elsewhere.")
    report_item(their_post, elsewhere.other)
    report_item(post, world.other)

    page = signed_in(world.leader).get(QUEUE_URL).text

    select = re.search(r'<select id="f-group" name="group">(.*?)</select>', page, re.DOTALL)
    assert re.findall(r'<option value="([^"]*)"', select.group(1)) == ["", world.group.slug]


def test_leaders_see_how_many_items_wait_in_the_header_and_members_see_no_queue(world, thread):
    post = world.reply(thread, world.member, "Reported.")
    item = report_item(post, world.other)
    world.reply(thread, world.newcomer, "Held.")
    elsewhere = Community()
    report_item(elsewhere.reply(elsewhere.start(elsewhere.owner), elsewhere.member, "x"),
                elsewhere.other)  # fmt: skip
    badge = 'id="queue-badge"><span class="badge__count">{}<'

    assert badge.format(2) in signed_in(world.leader).get(world.threads_url()).text
    assert badge.format(2) in signed_in(world.owner).get(world.threads_url()).text
    for who in (world.member, world.newcomer, world.outsider):
        assert 'href="/moderation/"' not in signed_in(who).get(world.threads_url()).text

    act(item, world.leader, "keep")

    assert badge.format(1) in signed_in(world.leader).get(world.threads_url()).text


# Claims


def test_a_claim_keeps_other_leaders_out_for_fifteen_minutes(world, post):
    item = report_item(post, world.other)
    start = timezone.now()

    claimed = claim_services.item_claim(acting_user=world.leader, item=item, now=start)

    assert (claimed.status, claimed.claimed_by) == (Status.CLAIMED, world.leader)
    assert claimed.claimed_until == start + 15 * MINUTE
    for later in (MINUTE, 14 * MINUTE, 15 * MINUTE - datetime.timedelta(seconds=1)):
        with pytest.raises(ValidationError) as refused:
            claim_services.item_claim(acting_user=world.owner, item=item, now=start + later)
        assert refused.value.code == "claimed"
        assert f"{world.leader.public_name} is dealing with this right now." in (
            refused.value.messages
        )
        with pytest.raises(ValidationError) as refused:
            act(item, world.owner, "hide", reason=REASON, now=start + later)
        assert refused.value.code == "claimed"
    post.refresh_from_db()
    assert post.state == Post.State.PUBLISHED
    assert not ModerationLogEntry.objects.filter(action=Log.POST_HIDDEN).exists()

    taken = claim_services.item_claim(acting_user=world.owner, item=item, now=start + 15 * MINUTE)

    assert (taken.status, taken.claimed_by) == (Status.CLAIMED, world.owner)
    assert taken.claimed_until == start + 30 * MINUTE
    assert [(e.action, e.actor_id) for e in taken.events.all()][1:] == [
        ("claimed", world.leader.pk),
        ("claimed", world.owner.pk),
    ]
    with pytest.raises(ValidationError) as refused:
        act(item, world.leader, "keep", now=start + 20 * MINUTE)
    assert refused.value.code == "claimed"


def test_claiming_an_item_one_already_holds_keeps_the_claim(world, post):
    item = report_item(post, world.other)
    start = timezone.now()
    claim_services.item_claim(acting_user=world.leader, item=item, now=start)

    again = claim_services.item_claim(acting_user=world.leader, item=item, now=start + 5 * MINUTE)

    assert again.claimed_until == start + 15 * MINUTE
    assert again.claim_is_held_by(world.leader, start + 5 * MINUTE)
    assert not again.claim_is_held_by(world.leader, start + 15 * MINUTE)
    assert [e.action for e in again.events.all()] == ["created", "claimed"]


def test_releasing_a_claim_lets_another_leader_take_the_item(world, post):
    item = report_item(post, world.other)
    claim_services.item_claim(acting_user=world.leader, item=item)

    released = claim_services.item_release(acting_user=world.leader, item=item)

    assert (released.status, released.claimed_by, released.claimed_until) == (
        Status.PENDING,
        None,
        None,
    )
    taken = claim_services.item_claim(acting_user=world.owner, item=item)
    assert taken.claimed_by == world.owner
    # Releasing someone else's claim does nothing.
    claim_services.item_release(acting_user=world.leader, item=item)
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Status.CLAIMED, world.owner)


def test_an_item_that_has_been_dealt_with_cannot_be_claimed_or_decided_again(world, post):
    item = report_item(post, world.other)
    act(item, world.leader, "keep")
    rows = log_rows()

    with pytest.raises(ValidationError) as claim:
        claim_services.item_claim(acting_user=world.owner, item=item)
    with pytest.raises(ValidationError) as decide:
        act(item, world.owner, "hide", reason=REASON)

    assert claim.value.code == decide.value.code == "closed"
    assert log_rows() == rows
    post.refresh_from_db()
    assert post.state == Post.State.PUBLISHED


def test_an_admins_claim_on_an_escalated_item_keeps_other_admins_out(world, post, admin):
    second_admin = make_staff(label="Admin")
    item = report_item(post, world.other)
    act(item, world.leader, "escalate", reason="Mentions a weapon.")
    claim_services.item_claim(acting_user=admin, item=item)

    with pytest.raises(ValidationError) as refused:
        claim_services.item_claim(acting_user=second_admin, item=item)

    assert refused.value.code == "claimed"
    item.refresh_from_db()
    assert item.claimed_by == admin


def test_claiming_on_the_item_page_shows_other_leaders_who_has_it(world, post):
    item = report_item(post, world.other)

    claimed = signed_in(world.leader).post(reverse("moderation:claim", args=[item.pk]), follow=True)
    owner = signed_in(world.owner)
    seen = text_of(owner.get(item_url(item)))
    refused = owner.post(reverse("moderation:act", args=[item.pk]), {"action": "dismiss"})

    assert "It's yours for the next 15 minutes." in text_of(claimed)
    assert "You have claimed this until" in text_of(claimed)
    assert f"{world.leader.public_name} is handling this" in seen
    assert refused.status_code == 400
    assert f"{world.leader.public_name} is dealing with this right now." in text_of(refused)
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Status.CLAIMED, world.leader)


# What each decision does, and what people see afterwards


def test_approving_a_held_post_on_the_item_page_publishes_it_for_everyone(world, thread):
    post = world.reply(thread, world.newcomer, "Glad to be here.")
    item = live_item(Kind.HELD_POST, f"post:{post.pk}")

    response = signed_in(world.leader).post(
        reverse("moderation:act", args=[item.pk]), {"action": "approve"}
    )

    assert response.status_code == 302
    assert response.url == QUEUE_URL
    post.refresh_from_db()
    item.refresh_from_db()
    assert (post.state, post.number) == (Post.State.PUBLISHED, 2)
    assert (item.status, item.decision, item.decided_by) == (
        Status.RESOLVED,
        "approve",
        world.leader,
    )
    assert membership_of(world.group, world.newcomer).approved_post_count == 1
    assert "Glad to be here." in text_of(signed_in(world.member).get(world.thread_url(thread)))


def test_a_held_post_that_is_not_approved_is_shown_only_to_its_author_with_why(world, thread):
    post = world.reply(thread, world.newcomer, "Selling my spare prescription.")

    act(
        live_item(Kind.HELD_POST, f"post:{post.pk}"), world.leader, "reject",
        reason="We don't allow selling or swapping medication.",
    )  # fmt: skip

    post.refresh_from_db()
    assert post.state == Post.State.REJECTED
    author = text_of(signed_in(world.newcomer).get(world.thread_url(thread)))
    assert "A peer leader did not approve this post, so only you can see it." in author
    assert "We don't allow selling or swapping medication." in author
    other = text_of(signed_in(world.member).get(world.thread_url(thread)))
    assert "Selling my spare prescription." not in other
    assert "swapping medication" not in other


def test_keeping_a_reported_post_leaves_it_as_it_was(world, post):
    item = report_item(post, world.other)

    act(item, world.leader, "keep")

    post.refresh_from_db()
    item.refresh_from_db()
    assert post.state == Post.State.PUBLISHED
    assert (item.status, item.decision) == (Status.RESOLVED, "keep")
    assert not Sanction.objects.exists()
    assert "Some harsh words" in text_of(signed_in(world.other).get(world.thread_url(post.thread)))


def test_hiding_a_post_leaves_a_tombstone_and_tells_only_the_author_why(world, post):
    item = report_item(post, world.other)

    act(item, world.leader, "hide", reason="Please don't name other members' dealers.")

    post.refresh_from_db()
    assert (post.state, post.moderation_reason) == (
        Post.State.HIDDEN,
        "Please don't name other members' dealers.",
    )
    url = world.thread_url(post.thread)
    author = text_of(signed_in(world.member).get(url))
    assert "Removed by a peer leader." in author
    assert "The reason they gave you: “Please don't name other members' dealers.”" in author
    assert "Some harsh words" not in author
    for viewer in (world.other, world.newcomer, world.outsider):
        page = text_of(signed_in(viewer).get(url))
        assert "Removed by a peer leader." in page
        assert "dealers" not in page
        assert "Some harsh words" not in page
    assert "What it said (leaders only)" in text_of(signed_in(world.leader).get(url))


def test_adding_a_content_warning_folds_the_post_behind_it_for_everyone(world, post):
    item = report_item(post, world.other, "triggering")

    act(item, world.leader, "add_warning", content_warning="relapse")

    post.refresh_from_db()
    item.refresh_from_db()
    assert post.content_warning == "relapse"
    assert (item.status, item.decision) == (Status.RESOLVED, "add_warning")
    page = text_of(signed_in(world.other).get(world.thread_url(post.thread)))
    assert "Content warning: Relapse" in page


def test_adding_a_content_warning_needs_one_chosen_and_a_refusal_leaves_the_item_free(world, post):
    item = report_item(post, world.other, "triggering")

    with pytest.raises(ValidationError):
        act(item, world.leader, "add_warning", content_warning="")

    post.refresh_from_db()
    item.refresh_from_db()
    assert post.content_warning == ""
    assert (item.status, item.claimed_by) == (Status.PENDING, None)


def test_a_warning_shows_on_the_group_page_for_that_member_who_can_still_post(world, post):
    item = report_item(post, world.other)

    act(item, world.leader, "warn", reason=REASON)

    sanction = Sanction.objects.get(user=world.member)
    assert (sanction.kind, sanction.group, sanction.created_by) == (
        Sanction.Kind.WARNING,
        world.group,
        world.leader,
    )
    page = text_of(signed_in(world.member).get(world.url("groups:detail")))
    assert "A message from the peer leaders" in page
    assert f"Warning: “{REASON}”" in page
    assert "Appeal this decision" in page
    assert REASON not in text_of(signed_in(world.other).get(world.url("groups:detail")))
    assert world.reply(post.thread, fresh(world.member), "Sorry, all.").state == "published"


@pytest.mark.parametrize(
    "mute_for, length",
    [
        ("1h", datetime.timedelta(hours=1)),
        ("24h", datetime.timedelta(hours=24)),
        ("7d", datetime.timedelta(days=7)),
    ],
)
def test_a_muted_member_reads_but_cannot_post_or_react_and_sees_why_and_until_when(
    world, post, mute_for, length
):
    item = report_item(post, world.other)
    before = timezone.now()

    act(item, world.leader, "mute", reason="Take a breather.", mute_for=mute_for)

    after = timezone.now()
    muted_until = membership_of(world.group, world.member).muted_until
    assert before + length <= muted_until <= after + length
    sanction = Sanction.objects.get(user=world.member, kind=Sanction.Kind.MUTE)
    assert sanction.ends_at == muted_until
    member = fresh(world.member)
    thread = post.thread
    with pytest.raises(PermissionDenied, match="muted you"):
        world.reply(thread, member, "Hello?")
    with pytest.raises(PermissionDenied):
        world.start(member, title="Still here", body="Hi")
    with pytest.raises(PermissionDenied):
        reaction_services.reaction_toggle(
            acting_user=member, post=thread.posts.get(number=1), kind="strength"
        )
    client = signed_in(world.member)
    thread_page = client.get(world.thread_url(thread))
    assert thread_page.status_code == 200
    assert f"You are muted until {when(muted_until)}. You can still read." in text_of(thread_page)
    assert 'name="body"' not in thread_page.text
    group_page = text_of(client.get(world.url("groups:detail")))
    assert f"Mute until {when(muted_until)}: “Take a breather.”" in group_page
    assert "You can still read." in group_page


def test_a_mute_can_last_until_a_time_the_leader_chooses(world, post):
    item = report_item(post, world.other)
    until = (timezone.now() + datetime.timedelta(days=3)).replace(second=0, microsecond=0)

    response = signed_in(world.leader).post(
        reverse("moderation:act", args=[item.pk]),
        {"action": "mute", "reason": "Until the weekend is over.", "mute_for": "custom",
         "mute_until": until.strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip

    assert response.status_code == 302
    assert membership_of(world.group, world.member).muted_until == until
    assert Sanction.objects.get(user=world.member).ends_at == until


def test_a_mute_needs_a_length_that_ends_in_the_future(world, post):
    item = report_item(post, world.other)
    client = signed_in(world.leader)

    with pytest.raises(ValidationError):
        act(item, world.leader, "mute", reason=REASON)
    with pytest.raises(ValidationError):
        act(item, world.leader, "mute", reason=REASON, mute_for="3y")
    with pytest.raises(ValidationError):
        act(item, world.leader, "mute", reason=REASON,
            mute_until=timezone.now() - datetime.timedelta(hours=1))  # fmt: skip
    no_time = client.post(
        reverse("moderation:act", args=[item.pk]),
        {"action": "mute", "reason": REASON, "mute_for": "custom"},
    )

    assert no_time.status_code == 400
    assert "Please choose the date and time the mute ends." in text_of(no_time)
    assert membership_of(world.group, world.member).muted_until is None
    assert not Sanction.objects.exists()
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Status.PENDING, None)


def test_removing_a_member_takes_away_posting_tells_them_why_and_lets_them_rejoin(world, post):
    item = report_item(post, world.other)

    act(item, world.leader, "remove", reason="Repeated harassment after a warning.")

    assert membership_of(world.group, world.member).state == Membership.State.REMOVED
    assert Sanction.objects.get(user=world.member).kind == Sanction.Kind.REMOVAL
    member = fresh(world.member)
    with pytest.raises(PermissionDenied):
        world.reply(post.thread, member, "Why?")
    page = text_of(signed_in(world.member).get(world.url("groups:detail")))
    assert "A peer leader removed you from this group." in page
    assert "Repeated harassment after a warning." in page
    # A removal is not a ban: the door of an open group stays open.
    rejoined = membership_services.membership_join(
        acting_user=member, group=world.group, accepted_rules=True
    )
    assert rejoined.state == Membership.State.ACTIVE


def test_a_banned_member_cannot_read_rejoin_ask_or_use_an_invite(world, post):
    item = report_item(post, world.other, "sourcing")
    invite = membership_services.invite_create(acting_user=world.owner, group=world.group)

    act(item, world.leader, "ban", reason="Selling in the group.")

    assert membership_of(world.group, world.member).state == Membership.State.BANNED
    assert Sanction.objects.get(user=world.member).kind == Sanction.Kind.BAN
    member = fresh(world.member)
    with pytest.raises(PermissionDenied):
        membership_services.membership_join(
            acting_user=member, group=world.group, accepted_rules=True
        )
    with pytest.raises(PermissionDenied):
        membership_services.invite_accept(acting_user=member, invite=invite, accepted_rules=True)
    world.group.join_policy = Group.JoinPolicy.REQUEST
    world.group.save(update_fields=["join_policy"])
    with pytest.raises(PermissionDenied):
        membership_services.membership_request(
            acting_user=fresh(world.member), group=world.group, message="Please.",
            accepted_rules=True,
        )  # fmt: skip
    client = signed_in(world.member)
    assert client.get(world.thread_url(post.thread)).status_code == 403
    page = text_of(client.get(world.url("groups:detail")))
    assert "You have been banned from this group." in page
    assert "Selling in the group." in page
    assert membership_of(world.group, world.member).state == Membership.State.BANNED


def test_dismissing_a_report_changes_nothing_for_the_member(world, post):
    item = report_item(post, world.other)

    act(item, world.leader, "dismiss", reason="Blunt, but within the rules.")

    post.refresh_from_db()
    item.refresh_from_db()
    assert (item.status, item.decision, item.decided_by) == (
        Status.DISMISSED,
        "dismiss",
        world.leader,
    )
    assert post.state == Post.State.PUBLISHED
    assert not Sanction.objects.exists()
    assert membership_of(world.group, world.member).muted_until is None


def test_escalating_takes_an_item_to_admins_by_email_and_out_of_leaders_hands(
    world, post, admin, mailoutbox, django_capture_on_commit_callbacks
):
    item = report_item(post, world.other)
    claim_services.item_claim(acting_user=world.leader, item=item)
    # Staff without two-factor have no staff powers: no email, no item.
    staff_without_two_factor = make_staff(label="Admin", mfa=False)

    with django_capture_on_commit_callbacks(execute=True):
        act(item, world.leader, "escalate", reason="Mentions a weapon.")

    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Status.ESCALATED, None)
    assert item.escalated_at is not None
    assert item not in permissions.live_items_visible_to(world.leader)
    assert item not in permissions.live_items_visible_to(world.owner)
    assert item in permissions.live_items_visible_to(admin)
    assert item not in permissions.live_items_visible_to(staff_without_two_factor)
    assert [message.to for message in mailoutbox] == [[admin.email]]
    assert "Needs an administrator" in mailoutbox[0].subject
    assert f"/moderation/items/{item.pk}/" in mailoutbox[0].body
    assert signed_in(world.owner).get(item_url(item)).status_code == 404
    admin_queue = text_of(signed_in(admin).get(QUEUE_URL))
    assert "Escalated to administrators" in admin_queue
    with pytest.raises(PermissionDenied):
        act(item, world.owner, "keep")

    act(item, admin, "hide", reason=REASON)

    item.refresh_from_db()
    post.refresh_from_db()
    assert (item.status, item.decided_by) == (Status.RESOLVED, admin)
    assert post.state == Post.State.HIDDEN


@pytest.mark.parametrize("action", ["hide", "warn", "mute", "remove", "ban"])
def test_decisions_about_a_member_need_a_reason_they_will_see(world, post, action):
    item = report_item(post, world.other)
    rows = log_rows()

    with pytest.raises(ValidationError, match="Please give a reason"):
        act(item, world.leader, action, reason="   ", mute_for="1h")

    post.refresh_from_db()
    item.refresh_from_db()
    assert post.state == Post.State.PUBLISHED
    assert not Sanction.objects.exists()
    member = membership_of(world.group, world.member)
    assert (member.state, member.muted_until) == (Membership.State.ACTIVE, None)
    assert (item.status, item.claimed_by) == (Status.PENDING, None)
    assert log_rows() == rows


@pytest.mark.parametrize("action", ["approve", "reject", "decline", "lift", "uphold", "nuke"])
def test_an_action_that_does_not_fit_the_item_is_refused(world, post, action):
    item = report_item(post, world.other)

    with pytest.raises(ValidationError, match="doesn't apply"):
        act(item, world.leader, action, reason=REASON)

    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Status.PENDING, None)


def test_a_leader_cannot_sanction_the_owner_or_another_leader_from_the_queue(world, thread):
    co_leader = world.join(person("Leader"), role=Membership.Role.LEADER)
    owners_item = report_item(thread.posts.get(number=1), world.member)
    leaders_item = report_item(world.reply(thread, co_leader, "Leader's words."), world.member)

    with pytest.raises(PermissionDenied):
        act(owners_item, world.leader, "warn", reason=REASON)
    with pytest.raises(PermissionDenied):
        act(leaders_item, world.leader, "mute", reason=REASON, mute_for="1h")

    assert not Sanction.objects.exists()
    for item in (owners_item, leaders_item):
        item.refresh_from_db()
        assert (item.status, item.claimed_by) == (Status.PENDING, None)
    # The owner may act on a peer leader.
    act(leaders_item, world.owner, "warn", reason=REASON)
    assert Sanction.objects.get().user == co_leader


@pytest.mark.parametrize(
    "action, kwargs",
    [
        ("add_warning", {"content_warning": "substance_use"}),
        ("warn", {"reason": REASON}),
        ("mute", {"reason": REASON, "mute_for": "1h"}),
    ],
)
def test_a_held_post_stays_in_the_queue_until_someone_approves_or_rejects_it(
    world, thread, action, kwargs
):
    post = world.reply(thread, world.newcomer, "My first post, about using again.")
    item = live_item(Kind.HELD_POST, f"post:{post.pk}")

    # A held post is settled by publishing it or not; other actions are refused here.
    with pytest.raises(ValidationError):
        act(item, world.leader, action, **kwargs)

    post.refresh_from_db()
    still_queued = ReviewItem.objects.filter(
        kind=Kind.HELD_POST, target_key=f"post:{post.pk}", status__in=ReviewItem.LIVE
    ).exists()
    # Either the decision also settled the post, or the post is still waiting in the queue:
    # a held post must never be left where no queue item asks a leader to decide it.
    assert post.state != Post.State.HELD or still_queued


# Appeals


@pytest.fixture
def mute(world, post):
    """A 24-hour mute the peer leader imposed on the member from a report."""
    act(report_item(post, world.other), world.leader, "mute", reason="Cooling off.", mute_for="24h")
    return Sanction.objects.get(user=world.member, kind=Sanction.Kind.MUTE)


def appeal(world, sanction, message="I was quoting someone, not attacking them."):
    appeal_services.appeal_create(
        acting_user=fresh(world.member), sanction=sanction, message=message
    )
    return live_item(Kind.APPEAL, f"sanction:{sanction.pk}")


def test_an_appeal_enters_the_queue_once_per_sanction(world, mute):
    item = appeal(world, mute)

    assert (item.target_key, item.subject, item.group) == (
        f"sanction:{mute.pk}",
        world.member,
        world.group,
    )
    assert item.recused_user == mute.created_by  # the leader who muted can't decide it
    assert item.snapshot == "I was quoting someone, not attacking them."
    with pytest.raises(ValidationError, match="already appealed"):
        appeal_services.appeal_create(
            acting_user=fresh(world.member), sanction=mute, message="Again."
        )
    with pytest.raises(PermissionDenied):
        appeal_services.appeal_create(
            acting_user=world.other, sanction=mute, message="On their behalf."
        )
    assert Appeal.objects.count() == 1
    assert ReviewItem.objects.filter(kind=Kind.APPEAL).count() == 1


def test_an_appeal_needs_a_message(world, mute):
    with pytest.raises(ValidationError):
        appeal_services.appeal_create(acting_user=fresh(world.member), sanction=mute, message="  ")
    assert not Appeal.objects.exists()


def test_appealing_through_the_page_from_the_group_page_link(world, mute):
    client = signed_in(world.member)
    url = reverse("moderation:appeal", args=[mute.pk])
    assert url in client.get(world.url("groups:detail")).text

    sent = client.post(url, {"message": "I was quoting someone."}, follow=True)

    assert "Your appeal is sent." in text_of(sent)
    assert "Another peer leader or an administrator will read it soon." in text_of(sent)
    assert signed_in(world.other).get(url).status_code == 404


def test_the_leader_who_imposed_a_sanction_cannot_see_or_handle_its_appeal(world, mute):
    item = appeal(world, mute)
    client = signed_in(world.leader)

    assert item not in permissions.live_items_visible_to(world.leader)
    assert item.pk not in queue_item_ids(client.get(QUEUE_URL).text)
    assert client.get(item_url(item)).status_code == 404
    with pytest.raises(PermissionDenied, match="another leader or an administrator"):
        claim_services.item_claim(acting_user=world.leader, item=item)
    for action in ("uphold", "lift", "escalate"):
        with pytest.raises(PermissionDenied):
            act(item, world.leader, action, reason="I stand by it.")
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Status.PENDING, None)
    assert Sanction.objects.get(pk=mute.pk).lifted_at is None
    assert item in permissions.live_items_visible_to(world.owner)


def test_another_leader_upholds_an_appeal_and_the_member_sees_the_answer(world, mute):
    item = appeal(world, mute)

    act(item, world.owner, "uphold", reason="Quoting still counts here, sorry.")

    mute.refresh_from_db()
    assert mute.lifted_at is None
    assert membership_of(world.group, world.member).is_muted
    page = text_of(signed_in(world.member).get(reverse("moderation:appeal", args=[mute.pk])))
    assert "The decision was looked at again and stays." in page
    assert "Quoting still counts here, sorry." in page


def test_lifting_a_mute_on_appeal_lets_the_member_post_again(world, post, mute):
    another_leader = world.join(person("Leader"), role=Membership.Role.LEADER)
    item = appeal(world, mute)

    act(item, another_leader, "lift", reason="You're right, sorry.")

    mute.refresh_from_db()
    assert (mute.lifted_by, mute.lifted_at is not None) == (another_leader, True)
    assert membership_of(world.group, world.member).muted_until is None
    reply = world.reply(post.thread, fresh(world.member), "Thank you for listening.")
    assert reply.state == Post.State.PUBLISHED
    client = signed_in(world.member)
    page = text_of(client.get(reverse("moderation:appeal", args=[mute.pk])))
    assert "Your appeal was accepted and the decision lifted." in page
    assert "This has been lifted." in page
    assert "A message from the peer leaders" not in text_of(client.get(world.url("groups:detail")))


def test_an_admin_lifts_a_ban_on_appeal_and_the_member_may_join_again(world, post, admin):
    act(report_item(post, world.other), world.leader, "ban", reason="Selling.")
    ban = Sanction.objects.get(user=world.member, kind=Sanction.Kind.BAN)
    item = appeal(world, ban, "It was my brother on my account.")

    act(item, admin, "lift", reason="We believe you.")

    ban.refresh_from_db()
    assert ban.lifted_by == admin
    assert membership_of(world.group, world.member).state != Membership.State.BANNED
    rejoined = membership_services.membership_join(
        acting_user=fresh(world.member), group=world.group, accepted_rules=True
    )
    assert rejoined.state == Membership.State.ACTIVE


def test_an_appeal_against_a_suspension_is_for_administrators_only(world, admin):
    until = timezone.now() + datetime.timedelta(days=7)
    suspension = sanction_services.sanction_suspend(
        acting_user=admin, user=world.member, reason="Spam in many groups.", until=until
    )
    item = appeal(world, suspension, "It won't happen again.")

    assert item.group is None
    for leader in (world.leader, world.owner):
        assert item not in permissions.live_items_visible_to(leader)
        with pytest.raises(PermissionDenied):
            act(item, leader, "lift", reason="OK.")

    act(item, admin, "lift", reason="Thank you for explaining.")

    assert not fresh(world.member).is_suspended


# Escalation of urgent items nobody claims


def test_an_urgent_item_nobody_claims_goes_to_admins_after_ten_minutes(
    world, post, admin, mailoutbox, django_capture_on_commit_callbacks
):
    item = report_item(post, world.other, "risk")
    start = item.created_at

    for early in (9 * MINUTE, 10 * MINUTE - datetime.timedelta(seconds=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert escalation_services.escalate_overdue(now=start + early) == []
    item.refresh_from_db()
    assert item.status == Status.PENDING
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        escalated = escalation_services.escalate_overdue(now=start + 10 * MINUTE)

    assert [each.pk for each in escalated] == [item.pk]
    item.refresh_from_db()
    assert (item.status, item.escalated_at) == (Status.ESCALATED, start + 10 * MINUTE)
    assert [(e.action, e.actor_id) for e in item.events.all()][-1] == ("escalated", None)
    assert len(mailoutbox) == 1
    assert admin.email in mailoutbox[0].to
    assert "Urgency: Urgent" in mailoutbox[0].body
    assert f"/moderation/items/{item.pk}/" in mailoutbox[0].body
    assert item not in permissions.live_items_visible_to(world.leader)
    assert item in permissions.live_items_visible_to(admin)

    with django_capture_on_commit_callbacks(execute=True):
        assert escalation_services.escalate_overdue(now=start + 11 * MINUTE) == []
        assert escalation_services.escalate_overdue(now=start + datetime.timedelta(days=1)) == []
    assert len(mailoutbox) == 1
    assert [e.action for e in item.events.all()].count("escalated") == 1


def test_only_urgent_items_that_nobody_has_claimed_are_escalated(world, thread):
    normal = report_item(world.reply(thread, world.member, "One."), world.other, "harassment")
    claimed = report_item(world.reply(thread, world.member, "Two."), world.other, "risk")
    start = timezone.now()
    claim_services.item_claim(acting_user=world.leader, item=claimed, now=start)

    assert escalation_services.escalate_overdue(now=start + 12 * MINUTE) == []

    for item in (normal, claimed):
        item.refresh_from_db()
        assert item.status != Status.ESCALATED


def test_a_reopened_urgent_item_is_timed_from_when_it_reopened(world, post):
    item = report_item(post, world.other, "risk")
    act(item, world.leader, "keep")
    set_waiting_since(item, timezone.now() - datetime.timedelta(days=1))

    report_item(post, world.newcomer, "risk")

    item.refresh_from_db()
    reopened = item.reopened_at
    assert escalation_services.escalate_overdue(now=reopened + 9 * MINUTE) == []
    assert [
        each.pk for each in escalation_services.escalate_overdue(now=reopened + 10 * MINUTE)
    ] == [item.pk]


def test_the_escalation_delay_follows_the_setting(world, post, settings):
    settings.MODERATION_URGENT_ESCALATION_MINUTES = 3
    item = report_item(post, world.other, "risk")

    assert escalation_services.escalate_overdue(now=item.created_at + 2 * MINUTE) == []
    assert [
        each.pk for each in escalation_services.escalate_overdue(now=item.created_at + 3 * MINUTE)
    ] == [item.pk]


# Site-wide suspension


def suspend(admin, user, reason="Selling in several groups.", days=3):
    until = timezone.now() + datetime.timedelta(days=days)
    return sanction_services.sanction_suspend(
        acting_user=admin, user=user, reason=reason, until=until
    )


def test_a_suspended_member_reads_everywhere_but_cannot_post_or_react(world, thread, admin):
    elsewhere = Community()
    elsewhere.join(world.member, approved_post_count=10)
    their_thread = elsewhere.start(elsewhere.owner)

    sanction = suspend(admin, world.member)

    assert (sanction.kind, sanction.group) == (Sanction.Kind.SUSPENSION, None)
    member = fresh(world.member)
    assert member.is_suspended
    assert member.suspended_until == sanction.ends_at
    client = signed_in(member)
    for community, where in ((world, thread), (elsewhere, their_thread)):
        with pytest.raises(PermissionDenied, match="suspended your account"):
            community.reply(where, member, "Hello?")
        with pytest.raises(PermissionDenied):
            community.start(member, title="Hi", body="Hi")
        with pytest.raises(PermissionDenied):
            reaction_services.reaction_toggle(
                acting_user=member, post=where.posts.get(number=1), kind="strength"
            )
        assert client.get(community.thread_url(where)).status_code == 200
        page = text_of(client.get(community.url("groups:detail")))
        assert "Site-wide suspension" in page
        assert "Selling in several groups." in page
    entry = ModerationLogEntry.objects.get(action=Log.MEMBER_SUSPENDED)
    assert (entry.actor, entry.target_user, entry.group) == (admin, member, None)


def test_a_suspended_member_cannot_join_or_ask_to_join_any_group(admin):
    outsider = person("Outsider")
    open_group = make_group(name=f"Open {outsider.display_name}")
    asking_group = make_group(
        name=f"Asking {outsider.display_name}", join_policy=Group.JoinPolicy.REQUEST
    )
    suspend(admin, outsider)
    member = fresh(outsider)

    assert not permissions.can(member, Capability.JOIN, open_group)
    assert not permissions.can(member, Capability.REQUEST_TO_JOIN, asking_group)
    with pytest.raises(PermissionDenied, match="suspended your account"):
        membership_services.membership_join(
            acting_user=member, group=open_group, accepted_rules=True
        )
    with pytest.raises(PermissionDenied, match="suspended your account"):
        membership_services.membership_request(
            acting_user=member, group=asking_group, message="Hi", accepted_rules=True
        )
    assert not Membership.objects.filter(user=outsider).exists()


def test_only_administrators_suspend_and_staff_cannot_be_suspended(world, admin):
    until = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(PermissionDenied):
        sanction_services.sanction_suspend(
            acting_user=world.owner, user=world.member, reason="x", until=until
        )
    with pytest.raises(PermissionDenied):
        sanction_services.sanction_suspend(
            acting_user=admin, user=make_staff(label="Admin"), reason="x", until=until
        )
    with pytest.raises(ValidationError):
        sanction_services.sanction_suspend(
            acting_user=admin, user=world.member, reason=" ", until=until
        )
    assert not fresh(world.member).is_suspended
    assert not Sanction.objects.exists()


def test_lifting_a_suspension_lets_the_member_post_again(world, thread, admin):
    suspension = sanction_services.sanction_suspend(
        acting_user=admin, user=world.member, reason="Spam.",
        until=timezone.now() + datetime.timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        sanction_services.sanction_lift(
            acting_user=world.owner, sanction=suspension, reason="Please."
        )

    sanction_services.sanction_lift(acting_user=admin, sanction=suspension, reason="Sorted out.")

    member = fresh(world.member)
    assert not member.is_suspended
    assert world.reply(thread, member, "Back again.").state == Post.State.PUBLISHED


# Audit: every decision writes exactly one log row, and the log only grows

EXPECTED_LOG = {
    (Kind.REPORT, "keep"): Log.ITEM_RESOLVED,
    (Kind.REPORT, "hide"): Log.POST_HIDDEN,
    (Kind.REPORT, "add_warning"): Log.CONTENT_WARNING_ADDED,
    (Kind.REPORT, "warn"): Log.MEMBER_WARNED,
    (Kind.REPORT, "mute"): Log.MEMBER_MUTED,
    (Kind.REPORT, "remove"): Log.MEMBER_REMOVED,
    (Kind.REPORT, "ban"): Log.MEMBER_BANNED,
    (Kind.REPORT, "dismiss"): Log.ITEM_DISMISSED,
    (Kind.REPORT, "escalate"): Log.ITEM_ESCALATED,
    (Kind.AUTO_FLAG, "keep"): Log.ITEM_RESOLVED,
    (Kind.AUTO_FLAG, "hide"): Log.POST_HIDDEN,
    (Kind.AUTO_FLAG, "add_warning"): Log.CONTENT_WARNING_ADDED,
    (Kind.AUTO_FLAG, "warn"): Log.MEMBER_WARNED,
    (Kind.AUTO_FLAG, "mute"): Log.MEMBER_MUTED,
    (Kind.AUTO_FLAG, "remove"): Log.MEMBER_REMOVED,
    (Kind.AUTO_FLAG, "ban"): Log.MEMBER_BANNED,
    (Kind.AUTO_FLAG, "dismiss"): Log.ITEM_DISMISSED,
    (Kind.AUTO_FLAG, "escalate"): Log.ITEM_ESCALATED,
    (Kind.HELD_POST, "approve"): Log.POST_APPROVED,
    (Kind.HELD_POST, "reject"): Log.POST_REJECTED,
    (Kind.HELD_POST, "add_warning"): Log.CONTENT_WARNING_ADDED,
    (Kind.HELD_POST, "warn"): Log.MEMBER_WARNED,
    (Kind.HELD_POST, "mute"): Log.MEMBER_MUTED,
    (Kind.HELD_POST, "remove"): Log.MEMBER_REMOVED,
    (Kind.HELD_POST, "ban"): Log.MEMBER_BANNED,
    (Kind.HELD_POST, "escalate"): Log.ITEM_ESCALATED,
    (Kind.JOIN_REQUEST, "approve"): Log.REQUEST_APPROVED,
    (Kind.JOIN_REQUEST, "decline"): Log.REQUEST_DECLINED,
    (Kind.JOIN_REQUEST, "escalate"): Log.ITEM_ESCALATED,
    (Kind.APPEAL, "uphold"): Log.ITEM_RESOLVED,
    (Kind.APPEAL, "lift"): Log.SANCTION_LIFTED,
    (Kind.APPEAL, "escalate"): Log.ITEM_ESCALATED,
    # "I need support now" items (groups.services.support).
    ("support", "reached_out"): Log.ITEM_RESOLVED,
    ("support", "escalate"): Log.ITEM_ESCALATED,
}
# What the item page offers for each action besides the reason field.
EXTRA = {"add_warning": {"content_warning": "other"}, "mute": {"mute_for": "1h"}}
NO_REASON_FIELD = {"approve", "keep", "add_warning"}
EVERY_ACTION = list(decision_services.HANDLERS)


def test_the_audit_table_covers_every_action_the_queue_offers():
    assert set(EVERY_ACTION) <= set(EXPECTED_LOG)


def item_of_kind(world, thread, kind) -> ReviewItem:
    if kind == Kind.REPORT:
        return report_item(world.reply(thread, world.member, "Reported words."), world.other)
    if kind == Kind.AUTO_FLAG:
        WatchedWord.objects.create(group=world.group, phrase="score", action="flag")
        flagged = world.reply(thread, world.member, "Trying not to score tonight.")
        return live_item(Kind.AUTO_FLAG, f"post:{flagged.pk}")
    if kind == Kind.HELD_POST:
        held = world.reply(thread, world.newcomer, "First words here.")
        return live_item(Kind.HELD_POST, f"post:{held.pk}")
    if kind == Kind.JOIN_REQUEST:
        _seeker, request = ask_to_join(world)
        return live_item(Kind.JOIN_REQUEST, f"membership:{request.pk}")
    if kind == "support":
        return support_services.support_request(
            acting_user=world.member, group=world.group, message="Having a hard night."
        )
    warning = sanction_services.sanction_warn(
        acting_user=world.owner,
        membership=membership_of(world.group, world.member),
        reason="Be gentler.",
    )
    return appeal(world, warning)


@pytest.mark.parametrize("kind, action", EVERY_ACTION)
def test_every_queue_decision_logs_its_claim_and_exactly_one_decision_row(
    world, thread, kind, action
):
    item = item_of_kind(world, thread, kind)
    reason = "" if action in NO_REASON_FIELD else f"Because of {action}."
    before = log_rows()

    act(item, world.leader, action, reason=reason, **EXTRA.get(action, {}))

    after = log_rows()
    assert after[: len(before)] == before
    claim, row = after[len(before) :]
    assert (claim["action"], claim["actor_id"]) == (Log.ITEM_CLAIMED, world.leader.pk)
    assert claim["details"] == {"item": item.pk}
    assert row["action"] == EXPECTED_LOG[(kind, action)]
    assert (row["actor_id"], row["group_id"]) == (world.leader.pk, world.group.pk)
    assert row["target_user_id"] == item.subject_id
    if reason:
        assert row["reason"] == reason
    item.refresh_from_db()
    if action == "escalate":
        assert item.status == Status.ESCALATED
    elif not item.is_live:
        assert (item.decided_by, item.decision) == (world.leader, action)


def test_the_log_only_ever_grows_through_a_run_of_decisions(world, thread, admin):
    steps = [
        lambda: act(item_of_kind(world, thread, Kind.HELD_POST), world.leader, "approve"),
        lambda: act(item_of_kind(world, thread, Kind.REPORT), world.leader, "hide", reason="x"),
        lambda: act(item_of_kind(world, thread, Kind.APPEAL), world.leader, "lift", reason="y"),
        lambda: sanction_services.sanction_suspend(
            acting_user=admin,
            user=world.other,
            reason="z",
            until=timezone.now() + datetime.timedelta(days=1),
        ),
        lambda: sanction_services.sanction_lift(
            acting_user=admin, sanction=Sanction.objects.get(user=world.other), reason="ok"
        ),
    ]
    history = log_rows()
    for step in steps:
        step()
        rows = log_rows()
        assert rows[: len(history)] == history
        assert len(rows) > len(history)
        history = rows


def test_log_rows_keep_their_group_and_people_from_being_deleted(world, post):
    act(report_item(post, world.other), world.leader, "hide", reason=REASON)

    with pytest.raises(ProtectedError), transaction.atomic():
        Group.objects.get(pk=world.group.pk).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        User.objects.get(pk=world.leader.pk).delete()

    assert ModerationLogEntry.objects.filter(action=Log.POST_HIDDEN, actor=world.leader).exists()
