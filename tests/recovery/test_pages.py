"""The recovery pages as a member uses them, and their wording."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recovery.models import Goal, SafetyPlan
from recovery.plan import SECTIONS
from recovery.services import checkins
from recovery.services import goals as goal_services
from tests.factories import add_member, make_group, make_user, signed_in

pytestmark = pytest.mark.django_db


def test_adding_a_goal_with_a_mistake_keeps_what_was_typed():
    member = make_user()
    page = signed_in(member).post(reverse("recovery:goal_new"), {
        "kind": "own_words", "words": "", "started_on": "not a date"})  # fmt: skip
    assert "Please give a date, like 2026-03-01." in page.text
    page = signed_in(member).post(reverse("recovery:goal_new"), {
        "kind": "own_words", "words": "", "started_on": "2026-01-01"})  # fmt: skip
    assert "Please say in a few words what your goal is." in page.text
    assert 'value="2026-01-01"' in page.text
    assert not Goal.objects.exists()


def test_a_member_adds_a_goal_starts_again_and_sees_both_numbers():
    member = make_user()
    client = signed_in(member)
    started = timezone.localdate() - datetime.timedelta(days=12)
    response = client.post(reverse("recovery:goal_new"), {
        "kind": "opioids", "words": "", "started_on": started.isoformat()})  # fmt: skip
    goal = Goal.objects.get(owner=member)
    assert response["Location"] == reverse("recovery:goal", args=[goal.pk])
    page = client.get(response["Location"])
    assert "12 days on this stretch" in page.text and "12 days in all toward this goal" in page.text
    assert "never change your days" in page.text
    client.post(reverse("recovery:goal_restart", args=[goal.pk]), {
        "slipped_on": timezone.localdate().isoformat(), "note": "Rough weekend"})  # fmt: skip
    page = client.get(reverse("recovery:goal", args=[goal.pk]))
    assert "Your new stretch begins tomorrow." in page.text
    assert "12 days in all toward this goal" in page.text
    assert "Rough weekend" in page.text


def test_marking_a_milestone_privately_tells_nobody():
    member = make_user()
    week_ago = timezone.localdate() - datetime.timedelta(days=7)
    goal = goal_services.goal_create(acting_user=member, kind="alcohol", started_on=week_ago)
    client = signed_in(member)
    assert "You've reached 7 days" in client.get(reverse("recovery:index")).text
    client.post(reverse("recovery:milestone", args=[goal.pk, 7]))
    assert "reached 7 days" not in client.get(reverse("recovery:index")).text


def test_the_safety_plan_is_saved_printable_and_lists_crisis_lines_for_the_members_country():
    member = make_user(country="GB")
    client = signed_in(member)
    empty = client.get(reverse("recovery:plan"))
    assert "Write my safety plan" in empty.text and "Samaritans" in empty.text
    typed = {key: f"My words for {key}" for key, _heading, _prompt in SECTIONS}
    typed["reasons"] = "x" * 2001
    refused = client.post(reverse("recovery:plan_edit"), typed)
    assert refused.status_code == 200 and "My words for warning_signs" in refused.text
    assert not SafetyPlan.objects.exists()
    typed["reasons"] = "My dog, Biscuit"
    assert client.post(reverse("recovery:plan_edit"), typed).status_code == 302
    plan = client.get(reverse("recovery:plan"))
    for _key, heading, _prompt in SECTIONS:
        assert str(heading) in plan.text.replace("&#x27;", "'")
    assert "My dog, Biscuit" in plan.text and "Samaritans" in plan.text
    assert "data-print" in plan.text


def test_get_help_now_and_the_home_page_put_the_safety_plan_one_tap_away():
    member = make_user()
    client = signed_in(member)
    plan_link = f'href="{reverse("recovery:plan")}"'
    assert plan_link in client.get(reverse("safety:help")).text
    home = client.get(reverse("home")).text
    assert f'href="{reverse("recovery:check_in")}"' in home and plan_link in home
    assert f'href="{reverse("recovery:index")}"' in client.get(reverse("accounts:settings")).text
    # Visitors see help as before, without links to tools they don't have.
    assert plan_link not in Client().get(reverse("safety:help")).text


def test_the_crisis_prompt_offers_the_members_safety_plan():
    request = RequestFactory().get("/")
    request.user = make_user()
    prompt = render_to_string("safety/_crisis_prompt.html", {"user": request.user},
                              request=request)  # fmt: skip
    assert f'href="{reverse("recovery:plan")}"' in prompt


# Words that shame a slip, or suggest that medication undoes recovery.
SHAMING = re.compile(r"\b(reset|relapsed?|failed|failure|clean|dirty|sober again|lost your)\b",
                     re.IGNORECASE)  # fmt: skip


def test_no_recovery_wording_shames_a_slip_or_medication():
    texts = [path.read_text() for path in (Path(settings.BASE_DIR) / "templates" / "recovery")
             .glob("*.html")]  # fmt: skip
    texts += [path.read_text() for path in (Path(settings.BASE_DIR) / "recovery").rglob("*.py")
              if "migrations" not in path.parts]  # fmt: skip
    for text in texts:
        for line in text.splitlines():
            if "translate" in line or "_(" in line:
                assert not SHAMING.search(line), line


def test_the_overview_offers_the_leaders_of_the_members_groups_after_hard_days():
    member = make_user()
    group = make_group(name="Evening Circle")
    add_member(group, member)
    today = timezone.localdate()
    for back in (2, 1, 0):
        checkins.check_in_save(acting_user=member, day=today - datetime.timedelta(days=back),
                               mood=1, craving=2)  # fmt: skip
    page = signed_in(member).get(reverse("recovery:index")).text
    assert "The last few days sound hard" in page
    assert f'href="{reverse("moderation:support", args=[group.slug])}"' in page


def test_the_overview_costs_the_same_queries_for_one_goal_or_many(django_assert_num_queries):
    member = make_user()
    client = signed_in(member)
    start = timezone.localdate() - datetime.timedelta(days=40)
    goal = goal_services.goal_create(acting_user=member, kind="alcohol", started_on=start)
    client.get(reverse("recovery:index"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("recovery:index"))
    for kind in ("opioids", "gambling", "cannabis", "stimulants"):
        other = goal_services.goal_create(acting_user=member, kind=kind, started_on=start)
        goal_services.goal_restart(acting_user=member, goal=other,
                                   slipped_on=timezone.localdate())  # fmt: skip
    goal_services.milestone_celebrate(acting_user=member, goal=goal, days=30)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("recovery:index"))


def test_a_member_removes_a_goal_after_a_page_that_offers_starting_again_instead():
    member = make_user()
    goal = goal_services.goal_create(
        acting_user=member, kind="alcohol", started_on=timezone.localdate()
    )
    client = signed_in(member)
    url = reverse("recovery:goal_delete", args=[goal.pk])

    page = client.get(url).text
    assert "for good" in page
    assert reverse("recovery:goal_restart", args=[goal.pk]) in page
    assert Goal.objects.filter(pk=goal.pk).exists()  # the page alone removes nothing

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("recovery:index")
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert "The goal is removed" in client.get(reverse("recovery:index")).text


def test_nobody_but_the_owner_can_remove_a_goal():
    owner, other = make_user(), make_user()
    goal = goal_services.goal_create(
        acting_user=owner, kind="alcohol", started_on=timezone.localdate()
    )
    assert signed_in(other).post(reverse("recovery:goal_delete", args=[goal.pk])).status_code == 404
    assert Goal.objects.filter(pk=goal.pk).exists()
