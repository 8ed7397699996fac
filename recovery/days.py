"""Day arithmetic. A day is the member's own local day (their profile's time zone),
and days are counted as whole calendar days, so a change to or from daylight saving
time never adds or loses one."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

# Days on one stretch worth marking: 1, 7, 30, 90 days, 6 months, then every year.
MILESTONES = (1, 7, 30, 90, 180)
DAYS_IN_A_YEAR = 365


def local_today(user, now: datetime.datetime | None = None) -> datetime.date:
    zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    return (now or timezone.now()).astimezone(zone).date()


def stretch_days(started_on: datetime.date, ended_on: datetime.date | None, today) -> int:
    """Whole days done: the start day counts once it is over, the day things slipped
    (ended_on) does not."""
    end = ended_on or today
    return max(0, (end - started_on).days)


def milestones_up_to(days: int) -> list[int]:
    reached = [m for m in MILESTONES if m <= days]
    reached += [DAYS_IN_A_YEAR * year for year in range(1, days // DAYS_IN_A_YEAR + 1)]
    return reached


def next_milestone(days: int) -> int:
    for milestone in MILESTONES:
        if milestone > days:
            return milestone
    return DAYS_IN_A_YEAR * (days // DAYS_IN_A_YEAR + 1)


@dataclass(frozen=True)
class Progress:
    current_days: int
    total_days: int
    stretches: int
    current_started_on: datetime.date
    # The current stretch's latest milestone, unless the member has marked it.
    milestone: int | None
    next_milestone: int
    # Started again today: the new stretch's first day is tomorrow.
    begins_later: bool


def progress(stretches, celebrated: set[tuple[int, int]], today) -> Progress:
    """`stretches` oldest first, the last one current; `celebrated` holds
    (stretch id, days) pairs already marked."""
    total = sum(stretch_days(s.started_on, s.ended_on, today) for s in stretches)
    current = stretches[-1]
    days = stretch_days(current.started_on, None, today)
    reached = milestones_up_to(days)
    # Only the latest one is offered: marking it marks the stretch so far.
    latest = reached[-1] if reached else None
    return Progress(
        current_days=days,
        total_days=total,
        stretches=len(stretches),
        current_started_on=current.started_on,
        milestone=latest if latest and (current.pk, latest) not in celebrated else None,
        next_milestone=next_milestone(days),
        begins_later=current.started_on > today,
    )
