"""Goals, restarts and milestones. A member's own actions: no audit rows."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forum.models import Thread
from forum.services.threads import thread_create
from groups.models import Group
from recovery import days as recovery_days
from recovery.models import Celebration, Goal, Stretch
from recovery.permissions import check_owns

# How far back a member may say a goal started, or things slipped.
RESTART_DAYS_BACK = 7
NOTE_MAX_LENGTH = 1000


def _clean_words(kind: str, words: str) -> str:
    if kind not in Goal.Kind.values:
        raise ValidationError({"kind": _("Please choose what your goal is about.")})
    words = (words or "").strip()
    if kind == Goal.Kind.OWN_WORDS and not words:
        raise ValidationError({"words": _("Please say in a few words what your goal is.")})
    if len(words) > 100:
        raise ValidationError({"words": _("Please keep the name of your goal under 100 "
                                          "characters.")})  # fmt: skip
    return words


@transaction.atomic
def goal_create(*, acting_user, kind: str, words: str = "", started_on: datetime.date,
                now=None) -> Goal:  # fmt: skip
    words = _clean_words(kind, words)
    if started_on > recovery_days.local_today(acting_user, now):
        raise ValidationError({"started_on": _("The start day can be today or a day before.")})
    goal = Goal.objects.create(owner=acting_user, details={"kind": kind, "words": words})
    Stretch.objects.create(goal=goal, started_on=started_on)
    return goal


@transaction.atomic
def goal_delete(*, acting_user, goal: Goal) -> None:
    """Remove a goal with its stretches, notes and milestones, for good. A milestone
    the member shared in a group stays there: it is a post like any other."""
    check_owns(acting_user, goal)
    goal.delete()


def _current_stretch(goal: Goal) -> Stretch:
    return Stretch.objects.select_for_update().get(goal=goal, ended_on__isnull=True)


@transaction.atomic
def goal_restart(*, acting_user, goal: Goal, slipped_on: datetime.date, note: str = "",
                 now=None) -> Stretch:  # fmt: skip
    """Start again: the current stretch ends on the day things slipped (that day does
    not count, every day before it still does) and a new one begins the day after."""
    check_owns(acting_user, goal)
    today = recovery_days.local_today(acting_user, now)
    current = _current_stretch(goal)
    earliest = max(current.started_on, today - datetime.timedelta(days=RESTART_DAYS_BACK))
    if current.started_on > today:
        raise ValidationError(_("You've already started again: your new stretch begins "
                                "tomorrow."))  # fmt: skip
    if not earliest <= slipped_on <= today:
        raise ValidationError({"slipped_on": _("Please choose a day from %(first)s to today.")
                               % {"first": earliest.isoformat()}})  # fmt: skip
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("Please keep the note under %(max)d characters.")
                               % {"max": NOTE_MAX_LENGTH}})  # fmt: skip
    current.ended_on = slipped_on
    current.restart_note = {"note": note} if note else None
    current.save(update_fields=["ended_on", "restart_note"])
    return Stretch.objects.create(goal=goal, started_on=slipped_on + datetime.timedelta(days=1))


def _open_milestone(acting_user, goal: Goal, days: int, now) -> Stretch:
    check_owns(acting_user, goal)
    current = _current_stretch(goal)
    done = recovery_days.stretch_days(current.started_on, None,
                                      recovery_days.local_today(acting_user, now))  # fmt: skip
    if days not in recovery_days.milestones_up_to(done):
        raise ValidationError(_("That milestone isn't one you've reached on this stretch yet."))
    if Celebration.objects.filter(stretch=current, days=days).exists():
        raise ValidationError(_("You've already marked this milestone."))
    return current


@transaction.atomic
def milestone_celebrate(*, acting_user, goal: Goal, days: int, now=None) -> Celebration:
    """Marked privately: nobody else is told."""
    stretch = _open_milestone(acting_user, goal, days, now)
    return Celebration.objects.create(stretch=stretch, days=days, shared=False)


@transaction.atomic
def milestone_share(*, acting_user, goal: Goal, days: int, group: Group, title: str,
                    body: str, now=None) -> Thread:  # fmt: skip
    """The member chose to share this milestone in a group: a thread of theirs, made
    and screened like any other (it may be held for the leaders)."""
    stretch = _open_milestone(acting_user, goal, days, now)
    thread = thread_create(acting_user=acting_user, group=group, title=title, body=body)
    Celebration.objects.create(stretch=stretch, days=days, shared=True)
    return thread
