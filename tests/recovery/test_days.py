"""Day arithmetic: a day is the member's own local day; restarts keep every day done."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from recovery import selectors
from recovery.days import local_today, milestones_up_to, next_milestone
from recovery.services import goals as goal_services
from tests.factories import make_user

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def progress(user, now):
    [view] = selectors.goals_with_progress(user, local_today(user, now))
    return view.progress


def test_the_same_moment_is_a_different_day_for_members_in_different_time_zones():
    moment = at("2026-06-30T23:30:00")
    assert local_today(make_user(time_zone="Pacific/Auckland"), moment) == datetime.date(2026, 7, 1)
    assert local_today(make_user(time_zone="America/Los_Angeles"), moment) == datetime.date(
        2026, 6, 30
    )
    assert local_today(make_user(time_zone="UTC"), moment) == datetime.date(2026, 6, 30)


def test_a_day_is_counted_when_the_members_local_day_turns_not_utcs():
    member = make_user(time_zone="America/New_York")
    goal_services.goal_create(acting_user=member, kind="alcohol", started_on=datetime.date(
        2026, 5, 1), now=at("2026-05-01T12:00:00"))  # fmt: skip
    # 03:30 UTC on 2 May is still 1 May in New York: no day done yet.
    assert progress(member, at("2026-05-02T03:30:00")).current_days == 0
    # 04:30 UTC on 2 May is 00:30 in New York: the first day is done.
    assert progress(member, at("2026-05-02T04:30:00")).current_days == 1


@pytest.mark.parametrize(
    ("zone", "start", "moment", "days"),
    [
        # Across the start of daylight saving time (a 23-hour day) in the US...
        ("America/Chicago", "2026-03-07", "2026-03-09T06:30:00", 2),
        # ...across its end (a 25-hour day) in Europe...
        ("Europe/Berlin", "2026-10-24", "2026-10-25T23:30:00", 2),
        # ...and in the southern hemisphere, where the clocks go forward in October.
        ("Australia/Sydney", "2026-10-03", "2026-10-04T14:30:00", 2),
    ],
)
def test_a_day_lost_or_gained_to_daylight_saving_time_is_still_one_day(zone, start, moment,
                                                                        days):  # fmt: skip
    member = make_user(time_zone=zone)
    goal_services.goal_create(acting_user=member, kind="opioids",
                              started_on=datetime.date.fromisoformat(start),
                              now=at(moment))  # fmt: skip
    assert progress(member, at(moment)).current_days == days


def test_starting_again_keeps_every_day_already_done_in_the_total():
    member = make_user(time_zone="Europe/London")
    goal = goal_services.goal_create(acting_user=member, kind="alcohol",
                                     started_on=datetime.date(2026, 1, 1),
                                     now=at("2026-01-01T09:00:00"))  # fmt: skip
    # 79 days done (1 January to 20 March), then things slip on 21 March.
    slip_day = at("2026-03-21T20:00:00")
    assert progress(member, slip_day).current_days == 79
    goal_services.goal_restart(acting_user=member, goal=goal, slipped_on=datetime.date(2026, 3, 21),
                               note="Hard week at work.", now=slip_day)  # fmt: skip
    after = progress(member, slip_day)
    assert (after.current_days, after.total_days, after.stretches) == (0, 79, 2)
    assert after.begins_later
    # Two days later the new stretch has one day done, and the total has grown with it.
    later = progress(member, at("2026-03-23T09:00:00"))
    assert (later.current_days, later.total_days) == (1, 80)
    assert not later.begins_later


def test_starting_again_for_yesterday_begins_the_next_stretch_today():
    member = make_user()
    goal = goal_services.goal_create(acting_user=member, kind="gambling",
                                     started_on=datetime.date(2026, 4, 1),
                                     now=at("2026-04-01T09:00:00"))  # fmt: skip
    now = at("2026-04-11T09:00:00")
    goal_services.goal_restart(acting_user=member, goal=goal, slipped_on=datetime.date(2026, 4, 10),
                               now=now)  # fmt: skip
    result = progress(member, now)
    assert (result.current_days, result.total_days) == (0, 9)
    assert not result.begins_later
    assert progress(member, at("2026-04-12T09:00:00")).total_days == 10


def test_starting_again_twice_in_one_day_is_refused_kindly():
    member = make_user()
    goal = goal_services.goal_create(acting_user=member, kind="alcohol",
                                     started_on=datetime.date(2026, 4, 1),
                                     now=at("2026-04-01T09:00:00"))  # fmt: skip
    now = at("2026-04-05T09:00:00")
    goal_services.goal_restart(acting_user=member, goal=goal, slipped_on=datetime.date(2026, 4, 5),
                               now=now)  # fmt: skip
    with pytest.raises(ValidationError, match="already started again"):
        goal_services.goal_restart(acting_user=member, goal=goal,
                                   slipped_on=datetime.date(2026, 4, 5), now=now)  # fmt: skip


def test_a_slip_day_before_the_stretch_began_or_in_the_future_is_refused():
    member = make_user()
    goal = goal_services.goal_create(acting_user=member, kind="alcohol",
                                     started_on=datetime.date(2026, 4, 1),
                                     now=at("2026-04-01T09:00:00"))  # fmt: skip
    now = at("2026-04-03T09:00:00")
    for day in (datetime.date(2026, 3, 31), datetime.date(2026, 4, 4)):
        with pytest.raises(ValidationError) as refused:
            goal_services.goal_restart(acting_user=member, goal=goal, slipped_on=day, now=now)
        assert "slipped_on" in refused.value.message_dict


def test_a_goal_cannot_start_in_the_future():
    with pytest.raises(ValidationError) as refused:
        goal_services.goal_create(acting_user=make_user(), kind="alcohol",
                                  started_on=datetime.date(2026, 4, 2),
                                  now=at("2026-04-01T09:00:00"))  # fmt: skip
    assert "started_on" in refused.value.message_dict


def test_milestones_are_one_week_month_three_months_six_months_then_every_year():
    assert milestones_up_to(0) == []
    assert milestones_up_to(29) == [1, 7]
    assert milestones_up_to(400) == [1, 7, 30, 90, 180, 365]
    assert milestones_up_to(800) == [1, 7, 30, 90, 180, 365, 730]
    assert [next_milestone(d) for d in (0, 1, 89, 180, 365, 700)] == [1, 7, 90, 365, 730, 730]


def test_a_milestone_once_marked_is_not_offered_again_and_a_new_stretch_offers_it_anew():
    member = make_user()
    goal = goal_services.goal_create(acting_user=member, kind="alcohol",
                                     started_on=datetime.date(2026, 4, 1),
                                     now=at("2026-04-01T09:00:00"))  # fmt: skip
    now = at("2026-04-09T09:00:00")
    assert progress(member, now).milestone == 7
    goal_services.milestone_celebrate(acting_user=member, goal=goal, days=7, now=now)
    assert progress(member, now).milestone is None
    with pytest.raises(ValidationError, match="already marked"):
        goal_services.milestone_celebrate(acting_user=member, goal=goal, days=7, now=now)
    with pytest.raises(ValidationError, match="reached"):
        goal_services.milestone_celebrate(acting_user=member, goal=goal, days=30, now=now)
    # Started again: the next stretch's first week is a milestone of its own.
    goal_services.goal_restart(acting_user=member, goal=goal, slipped_on=now.date(), now=now)
    assert progress(member, at("2026-04-18T09:00:00")).milestone == 7
