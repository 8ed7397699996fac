"""Reading a member's own recovery data. Every function takes the member and reads
only what is theirs."""

import datetime
import itertools
from dataclasses import dataclass

from groups import permissions
from groups.models import Group, Membership
from recovery import days as recovery_days
from recovery.models import Celebration, CheckIn, Goal, SafetyPlan, Stretch

# A nudge, never an alarm: this many check-ins in a row with very low mood or very
# high craving offer the safety plan, coping tools and the leaders' support.
NUDGE_AFTER = 3
VERY_LOW_MOOD = 2
VERY_HIGH_CRAVING = 8
# Check-ins further apart than this don't make a run.
NUDGE_WITHIN_DAYS = 7


@dataclass(frozen=True)
class GoalView:
    goal: Goal
    progress: recovery_days.Progress
    stretches: list[Stretch]


def goals_with_progress(user, today) -> list[GoalView]:
    goals = list(Goal.objects.filter(owner=user).prefetch_related("stretches"))
    celebrated = set(
        Celebration.objects.filter(stretch__goal__owner=user).values_list("stretch_id", "days")
    )
    views = []
    for goal in goals:
        stretches = list(goal.stretches.all())
        views.append(GoalView(goal, recovery_days.progress(stretches, celebrated, today),
                              stretches))  # fmt: skip
    return views


def goal_with_progress(goal: Goal, today) -> GoalView:
    stretches = list(goal.stretches.all())
    celebrated = set(
        Celebration.objects.filter(stretch__goal=goal).values_list("stretch_id", "days")
    )
    return GoalView(goal, recovery_days.progress(stretches, celebrated, today), stretches)


def check_in_for(user, day: datetime.date) -> CheckIn | None:
    return CheckIn.objects.filter(owner=user, day=day).first()


def is_very_hard(answers: dict) -> bool:
    return answers["mood"] <= VERY_LOW_MOOD or answers["craving"] >= VERY_HIGH_CRAVING


def offers_support(user, today) -> bool:
    """The last NUDGE_AFTER check-ins, none far apart and the newest recent, were all
    very hard."""
    recent = list(
        CheckIn.objects.filter(
            owner=user, day__gte=today - datetime.timedelta(days=NUDGE_WITHIN_DAYS * NUDGE_AFTER)
        ).order_by("-day")[:NUDGE_AFTER]
    )
    if len(recent) < NUDGE_AFTER or (today - recent[0].day).days > NUDGE_WITHIN_DAYS:
        return False
    close = all(
        (newer.day - older.day).days <= NUDGE_WITHIN_DAYS
        for newer, older in itertools.pairwise(recent)
    )
    return close and all(is_very_hard(check_in.answers) for check_in in recent)


@dataclass(frozen=True)
class TrendDay:
    day: datetime.date
    mood: int | None
    craving: int | None
    sleep_hours: float | None
    # Started a goal again on this day (a new stretch began the day after a slip).
    slip: bool


def trend(user, today, days: int) -> list[TrendDay]:
    """One entry per local day, oldest first, ending today."""
    first = today - datetime.timedelta(days=days - 1)
    answers = {
        check_in.day: check_in.answers
        for check_in in CheckIn.objects.filter(owner=user, day__gte=first, day__lte=today)
    }
    slips = set(
        Stretch.objects.filter(goal__owner=user, ended_on__gte=first, ended_on__lte=today)
        .values_list("ended_on", flat=True)
    )  # fmt: skip
    result = []
    for offset in range(days):
        day = first + datetime.timedelta(days=offset)
        entry = answers.get(day, {})
        result.append(TrendDay(day, entry.get("mood"), entry.get("craving"),
                               entry.get("sleep_hours"), day in slips))  # fmt: skip
    return result


def safety_plan_of(user) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(owner=user).first()


def my_groups(user, capability) -> list:
    """The active groups the member belongs to where they may do `capability`."""
    groups = Group.objects.filter(
        memberships__user=user, memberships__state=Membership.State.ACTIVE,
        status=Group.Status.ACTIVE,
    ).order_by("name")  # fmt: skip
    return [group for group in groups if permissions.can(user, capability, group)]


def groups_whose_leaders_i_can_ask(user) -> list:
    """Where moderation's support request would take the member's request (its rule:
    a member who can see the group's members)."""
    return my_groups(user, permissions.Capability.SEE_MEMBERS)
