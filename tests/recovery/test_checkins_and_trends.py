"""Check-ins, the trends chart's numbers against the data, and the gentle nudge."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from recovery import chart, selectors
from recovery.days import local_today
from recovery.services import checkins
from recovery.services import goals as goal_services
from tests.factories import make_user, signed_in

pytestmark = pytest.mark.django_db


def days_ago(user, n: int) -> datetime.date:
    return local_today(user) - datetime.timedelta(days=n)


def check_in(user, back: int, mood: int, craving: int = 2, **extra):
    return checkins.check_in_save(acting_user=user, day=days_ago(user, back), mood=mood,
                                  craving=craving, **extra)  # fmt: skip


def test_checking_in_again_the_same_day_changes_that_days_check_in():
    member = make_user()
    check_in(member, 0, mood=2)
    check_in(member, 0, mood=4, note="Better after a walk")
    [only] = member.recovery_check_ins.all()
    assert only.answers["mood"] == 4 and only.answers["note"] == "Better after a walk"


def test_a_check_in_for_more_than_six_days_back_or_out_of_range_answers_is_refused():
    member = make_user()
    with pytest.raises(ValidationError) as refused:
        check_in(member, 7, mood=3)
    assert "day" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        checkins.check_in_save(acting_user=member, mood=6, craving=11, sleep_hours=25,
                               tags=["sad-face"])  # fmt: skip
    assert set(refused.value.message_dict) == {"mood", "craving", "sleep_hours", "tags"}


def test_the_chart_draws_exactly_the_check_ins_and_slips_of_the_window():
    member = make_user(time_zone="Asia/Kolkata")
    check_in(member, 0, mood=5, craving=0)
    check_in(member, 1, mood=3, craving=4)
    check_in(member, 2, mood=1, craving=10)
    check_in(member, 5, mood=2, craving=6)
    goal = goal_services.goal_create(acting_user=member, kind="alcohol",
                                     started_on=days_ago(member, 20))  # fmt: skip
    goal_services.goal_restart(acting_user=member, goal=goal, slipped_on=days_ago(member, 3))
    other = make_user()
    check_in(other, 0, mood=1, craving=10)

    page = signed_in(member).get(reverse("recovery:trends"))
    assert page.status_code == 200
    drawn = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="3" fill="#0f5c4d" '
                       r'data-value="(\d+)" data-day="([\d-]+)"', page.text)  # fmt: skip
    assert [(value, day) for _x, _y, value, day in drawn] == [
        ("2", days_ago(member, 5).isoformat()), ("1", days_ago(member, 2).isoformat()),
        ("3", days_ago(member, 1).isoformat()), ("5", days_ago(member, 0).isoformat()),
    ]  # fmt: skip
    # Mood 5 is at the top of the plot, mood 1 at the bottom; today at the right edge.
    by_value = {value: (float(x), float(y)) for x, y, value, _day in drawn}
    assert by_value["5"] == (chart.WIDTH - chart.PAD_RIGHT, chart.PAD_TOP)
    assert by_value["1"][1] == chart.HEIGHT - chart.PAD_BOTTOM
    cravings = re.findall(r'fill="#a4161a" data-value="(\d+)"', page.text)
    assert cravings == ["6", "10", "4", "0"]
    # One slip, gently marked, three days ago; the days without check-ins break the line.
    assert page.text.count('class="trend-chart__slip"') == 2  # once in each panel
    mood_panel = chart.panel("Mood", selectors.trend(member, local_today(member), 30), "mood",
                             1, 5, 1)  # fmt: skip
    assert len(mood_panel.lines) == 1  # days 2, 1, 0 joined; day 5 stands alone
    assert mood_panel.slips == [chart._x(26, 30)]
    # The data table holds the same numbers, for screen readers and anyone.
    table = page.text.split('<table class="table trend-table">')[1]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">[^<]+</th>\s*<td>(\d*)</td>\s*<td>(\d*)</td>",
                      table)  # fmt: skip
    assert rows == [("2", "6"), ("", ""), ("1", "10"), ("3", "4"), ("5", "0")]


def test_the_ninety_day_window_reaches_further_back_than_thirty():
    member = make_user()
    day = local_today(member) - datetime.timedelta(days=40)
    from recovery.models import CheckIn

    CheckIn.objects.create(owner=member, day=day, answers={"mood": 4, "craving": 1,
                                                            "sleep_hours": None, "tags": [],
                                                            "note": ""})  # fmt: skip
    client = signed_in(member)
    drawn = f'data-day="{day.isoformat()}"'
    assert drawn not in client.get(reverse("recovery:trends")).text
    assert drawn in client.get(reverse("recovery:trends"), {"days": "90"}).text


def test_three_very_hard_check_ins_in_a_row_offer_the_safety_plan_and_leaders_support():
    member = make_user()
    today = local_today(member)
    check_in(member, 2, mood=2)
    assert not selectors.offers_support(member, today)
    check_in(member, 1, mood=3, craving=9)
    check_in(member, 0, mood=1)
    assert selectors.offers_support(member, today)
    # A better day breaks the run.
    check_in(member, 0, mood=4, craving=3)
    assert not selectors.offers_support(member, today)


def test_hard_check_ins_weeks_apart_do_not_make_a_run():
    member = make_user()
    from recovery.models import CheckIn

    today = local_today(member)
    for back in (20, 10):
        CheckIn.objects.create(owner=member, day=today - datetime.timedelta(days=back),
                               answers={"mood": 1, "craving": 9})  # fmt: skip
    check_in(member, 0, mood=1)
    assert not selectors.offers_support(member, today)


def test_a_very_low_check_in_puts_the_safety_plan_one_tap_away():
    member = make_user()
    client = signed_in(member)
    form = {"day": local_today(member).isoformat(), "mood": "1", "craving": "3"}
    page = client.post(reverse("recovery:check_in"), form)
    assert page.status_code == 200
    assert "That sounds like a hard day." in page.text
    assert f'href="{reverse("recovery:plan")}"' in page.text


def test_a_check_in_with_mistakes_keeps_what_was_typed_and_says_what_to_fix():
    member = make_user()
    page = signed_in(member).post(reverse("recovery:check_in"), {
        "day": local_today(member).isoformat(), "craving": "12", "note": "Rough morning",
    })  # fmt: skip
    assert "Please choose how your mood is, from 1 to 5." in page.text
    assert "Please choose from 0 to 10." in page.text
    assert "Rough morning" in page.text
    assert not member.recovery_check_ins.exists()
