"""Every recovery URL, for every kind of person: only the owner ever sees a member's
recovery data. Not another member, not a leader of the owner's group, not staff (with
or without two-factor). Pages without an id show each person their own data."""

import datetime

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from groups.models import Membership
from recovery.models import Goal, Stretch
from recovery.services import checkins, plans
from recovery.services import goals as goal_services
from tests.factories import add_member, make_group, make_staff, person, signed_in

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "other_member", "leader", "staff", "staff_no_2fa"]
OWNERS_WORDS = ["Quietly counting my days", "Phone Ines before the bar", "Slept on the sofa"]

# url name -> expected for each role, in ROLES order ("login": to the login page).
OWN_PAGE = "login 200 200 200 200 200"  # each person's own data
OWNERS_ONLY = "login 200 404 404 404 404"
TABLE = {
    "index": OWN_PAGE,
    "goal_new": OWN_PAGE,
    "goal": OWNERS_ONLY,
    "goal_restart": OWNERS_ONLY,
    "goal_delete": OWNERS_ONLY,
    "milestone": OWNERS_ONLY,
    "check_in": OWN_PAGE,
    "trends": OWN_PAGE,
    "plan": OWN_PAGE,
    "plan_edit": OWN_PAGE,
    "sos": OWN_PAGE,
}


@pytest.fixture
def world(db):
    owner = person("Owner")
    leader = person("Leader")
    group = make_group()
    add_member(group, owner)
    add_member(group, leader, role=Membership.Role.LEADER)
    goal = goal_services.goal_create(
        acting_user=owner, kind="own_words", words=OWNERS_WORDS[0],
        started_on=timezone.localdate() - datetime.timedelta(days=10),
    )  # fmt: skip
    plans.safety_plan_save(acting_user=owner, sections={"people_to_ask": OWNERS_WORDS[1]})
    checkins.check_in_save(acting_user=owner, mood=2, craving=5, note=OWNERS_WORDS[2])
    people = {
        "owner": owner, "other_member": person("Other"), "leader": leader,
        "staff": make_staff(label="Staff"), "staff_no_2fa": make_staff(label="Staff", mfa=False),
    }  # fmt: skip
    return people, goal


def url_for(name: str, goal: Goal) -> str:
    if name == "milestone":
        return reverse("recovery:milestone", args=[goal.pk, 7])
    if name in {"goal", "goal_restart", "goal_delete"}:
        return reverse(f"recovery:{name}", args=[goal.pk])
    return reverse(f"recovery:{name}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(TABLE))
def test_recovery_page_access_by_role(world, client, role, url_name):
    people, goal = world
    if role != "anonymous":
        client.force_login(people[role])
    expected = TABLE[url_name].split()[ROLES.index(role)]
    response = client.get(url_for(url_name, goal))
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        return
    assert response.status_code == int(expected)
    assert 'class="help-now" href="/help/"' in response.text
    if role != "owner":
        for words in OWNERS_WORDS:
            assert words not in response.text


@pytest.mark.parametrize("role", ["other_member", "leader", "staff", "staff_no_2fa"])
def test_nobody_but_the_owner_can_start_a_goal_again_or_mark_its_milestone(world, role):
    people, goal = world
    client = signed_in(people[role])
    today = timezone.localdate().isoformat()
    restart = client.post(reverse("recovery:goal_restart", args=[goal.pk]), {"slipped_on": today})
    marked = client.post(reverse("recovery:milestone", args=[goal.pk, 7]))
    assert (restart.status_code, marked.status_code) == (404, 404)
    assert Stretch.objects.filter(goal=goal).count() == 1
    assert not Stretch.objects.filter(goal=goal, celebrations__isnull=False).exists()


def covered_url_names() -> set[str]:
    return {f"recovery:{name}" for name in TABLE}


def test_every_recovery_url_is_in_the_table():
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "app_name", "") ==
                    "recovery")  # fmt: skip
    assert {f"recovery:{p.name}" for p in resolver.url_patterns} == covered_url_names()
