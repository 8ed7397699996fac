"""Two people acting on the queue at the same moment, each in their own thread with
their own database connection (so Postgres row locks, not Python, decide who wins).

Whoever gets an item's row lock first keeps it a little longer here (the queue's
doorbell, rung inside the locked section, is slowed down), so the other thread is
certain to arrive while the lock is held: without the lock both would succeed."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from forum.models import Post
from groups.models import ModerationLogEntry, Report, ReviewEvent, ReviewItem
from groups.services import queue as queue_services
from moderation.services import claims as claim_services
from moderation.services import decisions as decision_services
from moderation.services import escalation as escalation_services
from tests.factories import report_post
from tests.moderation.helpers import IN_MEMORY_LAYER

pytestmark = pytest.mark.django_db(transaction=True)

Kind = ReviewItem.Kind
Status = ReviewItem.Status
LOCK_HELD_SECONDS = 0.4
DECISIONS = {"hide", "keep", "dismiss", "warn"}


@pytest.fixture(autouse=True)
def in_memory_channel_layer(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY_LAYER


@pytest.fixture
def slow_doorbell(monkeypatch):
    ring = queue_services.ring

    def slow_ring(item):
        time.sleep(LOCK_HELD_SECONDS)
        ring(item)

    monkeypatch.setattr(queue_services, "ring", slow_ring)


@pytest.fixture
def post(world):
    thread = world.start(world.owner, title="Weekend plans", body="Staying busy helps me.")
    return world.reply(thread, world.member, "Words someone reported.")


@pytest.fixture
def item(world, post):
    return report_post(post, world.other, "harassment").review_item


class Outcome:
    def __init__(self):
        self.result = None
        self.error = None
        self.backend_pid = None

    @property
    def ok(self) -> bool:
        return self.error is None


def race(*calls) -> list[Outcome]:
    """Start every call at the same instant, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(call, outcome):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome.backend_pid = cursor.fetchone()[0]
            barrier.wait(timeout=10)
            outcome.result = call()
        except Exception as error:  # recorded and asserted on by the test
            outcome.error = error
        finally:
            connection.close()

    pairs = zip(calls, outcomes, strict=True)
    threads = [threading.Thread(target=run, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    pids = [outcome.backend_pid for outcome in outcomes]
    assert None not in pids
    assert len(set(pids)) == len(calls)  # really separate database connections
    return outcomes


def one_winner(outcomes) -> tuple[int, Exception]:
    winners = [n for n, outcome in enumerate(outcomes) if outcome.ok]
    losers = [outcome.error for outcome in outcomes if not outcome.ok]
    assert len(winners) == 1, [outcome.error for outcome in outcomes]
    assert len(losers) == len(outcomes) - 1
    return winners[0], losers[0]


def decision_rows(item) -> list[ModerationLogEntry]:
    """Log rows of decisions about the item's subject (claims are logged apart)."""
    claims = [ModerationLogEntry.Action.ITEM_CLAIMED, ModerationLogEntry.Action.ITEM_RELEASED]
    return list(
        ModerationLogEntry.objects.filter(target_user=item.subject_id).exclude(action__in=claims)
    )


def test_two_leaders_claiming_at_once_get_one_claim_and_one_refusal(world, item, slow_doorbell):
    leaders = [world.leader, world.owner]

    outcomes = race(*[lambda who=who: claim_services.item_claim(acting_user=who, item=item)
                      for who in leaders])  # fmt: skip

    winner, refusal = one_winner(outcomes)
    assert isinstance(refusal, ValidationError)
    assert refusal.code == "claimed"
    assert f"{leaders[winner].public_name} is dealing with this right now." in refusal.messages
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Status.CLAIMED, leaders[winner])
    assert ReviewEvent.objects.filter(item=item, action="claimed").count() == 1


def test_two_leaders_deciding_at_once_make_exactly_one_decision(world, post, item, slow_doorbell):
    calls = [
        (world.leader, "hide", {"reason": "Not kind."}),
        (world.owner, "keep", {}),
    ]

    outcomes = race(*[
        lambda who=who, action=action, kwargs=kwargs: decision_services.item_act(
            acting_user=who, item=item, action=action, **kwargs
        )
        for who, action, kwargs in calls
    ])  # fmt: skip

    winner, refusal = one_winner(outcomes)
    who, action, _kwargs = calls[winner]
    # The winner claimed and decided under one row lock: the other finds it dealt with.
    assert isinstance(refusal, ValidationError)
    assert refusal.code == "closed"
    item.refresh_from_db()
    post.refresh_from_db()
    assert (item.status, item.decided_by, item.decision) == (Status.RESOLVED, who, action)
    assert post.state == (Post.State.HIDDEN if action == "hide" else Post.State.PUBLISHED)
    assert ReviewEvent.objects.filter(item=item, action__in=DECISIONS).count() == 1
    assert ReviewEvent.objects.filter(item=item, action="claimed").count() == 1
    rows = decision_rows(item)
    assert len(rows) == 1
    assert rows[0].actor == who


def test_a_claim_and_a_decision_at_once_never_both_happen(world, post, item, slow_doorbell):
    outcomes = race(
        lambda: claim_services.item_claim(acting_user=world.leader, item=item),
        lambda: decision_services.item_act(acting_user=world.owner, item=item, action="dismiss"),
    )

    winner, refusal = one_winner(outcomes)
    item.refresh_from_db()
    assert isinstance(refusal, ValidationError)
    if winner == 0:  # the claim came first: the decision is refused, nothing decided
        assert refusal.code == "claimed"
        assert (item.status, item.claimed_by) == (Status.CLAIMED, world.leader)
        assert decision_rows(item) == []
    else:  # the decision came first: the claim finds the item dealt with
        assert refusal.code == "closed"
        assert (item.status, item.decided_by) == (Status.DISMISSED, world.owner)
        assert len(decision_rows(item)) == 1


def test_leaders_who_do_not_hold_the_claim_are_all_refused_at_once(world, post, item):
    claim_services.item_claim(acting_user=world.leader, item=item)
    co_leader = world.join(world.outsider, role="leader")

    outcomes = race(
        lambda: decision_services.item_act(
            acting_user=world.owner, item=item, action="hide", reason="x"
        ),
        lambda: decision_services.item_act(acting_user=co_leader, item=item, action="dismiss"),
    )

    assert [outcome.error.code for outcome in outcomes] == ["claimed", "claimed"]
    post.refresh_from_db()
    item.refresh_from_db()
    assert post.state == Post.State.PUBLISHED
    assert (item.status, item.claimed_by) == (Status.CLAIMED, world.leader)
    assert decision_rows(item) == []


def test_an_urgent_item_is_either_escalated_or_claimed_never_both(world, post, slow_doorbell):
    urgent = report_post(post, world.other, "risk").review_item
    escalation_time = urgent.created_at + datetime.timedelta(minutes=10)

    outcomes = race(
        lambda: escalation_services.escalate_overdue(now=escalation_time),
        lambda: claim_services.item_claim(acting_user=world.leader, item=urgent),
    )

    urgent.refresh_from_db()
    escalated, claim = outcomes
    assert escalated.ok
    if claim.ok:
        assert escalated.result == []
        assert (urgent.status, urgent.claimed_by) == (Status.CLAIMED, world.leader)
    else:
        assert [each.pk for each in escalated.result] == [urgent.pk]
        assert isinstance(claim.error, PermissionDenied)
        assert (urgent.status, urgent.claimed_by) == (Status.ESCALATED, None)


def test_two_members_reporting_the_same_post_at_once_are_both_heard(world, post, slow_doorbell):
    reporters = [world.other, world.newcomer]

    outcomes = race(*[lambda who=who: report_post(post, who, "risk") for who in reporters])

    assert [outcome.error for outcome in outcomes] == [None, None]
    item = ReviewItem.objects.get(kind=Kind.REPORT, target_key=f"post:{post.pk}")
    assert item.status == Status.PENDING
    assert item.urgency == ReviewItem.Urgency.URGENT
    assert Report.objects.filter(target_key=f"post:{post.pk}", review_item=item).count() == 2
