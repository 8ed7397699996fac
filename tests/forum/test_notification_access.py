"""Notifications are filtered by what the member may read now: a member who leaves,
is removed from or banned from a group no longer sees notifications naming its threads
or who replied (the bell's count included); what stays is the decision about them."""

import pytest
from django.test import Client
from django.urls import reverse

from forum import selectors
from groups.models import Group
from groups.services import memberships, sanctions
from tests.factories import Community, membership_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    place = Community(visibility=Group.Visibility.HIDDEN)
    thread = place.start(place.member, title="Night shifts and cravings", body="Anyone else?")
    place.reply(thread, place.other, "Sunny here: I get it.")
    return place


def notifications_page(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("forum:notifications")).text


def test_the_member_is_told_while_they_belong(place):
    assert selectors.unread_notification_count(place.member) == 1
    assert "Night shifts and cravings" in notifications_page(place.member)


@pytest.mark.parametrize("how", ["leaves", "removed", "banned"])
def test_notifications_of_a_hidden_group_vanish_when_access_does(place, how):
    if how == "leaves":
        memberships.membership_leave(acting_user=place.member, group=place.group)
    else:
        service = sanctions.sanction_remove if how == "removed" else sanctions.sanction_ban
        service(acting_user=place.leader, membership=membership_of(place.group, place.member),
                reason="For the group's safety.")  # fmt: skip

    page = notifications_page(place.member)
    for secret in ("Night shifts and cravings", "Sunny Hill"):
        assert secret not in page
    if how == "leaves":
        assert selectors.unread_notification_count(place.member) == 0
        assert place.group.name not in page
    else:  # what remains is about them: the decision, with its reason
        assert [note.kind for note in selectors.notifications_for(place.member)] == ["ban"]
        assert "For the group&#x27;s safety." in page


def test_a_public_group_stays_readable_to_a_former_member_but_not_to_a_banned_one():
    place = Community()
    thread = place.start(place.member, title="Mornings", body="Coffee first.")
    place.reply(thread, place.other, "Tea for me.")
    memberships.membership_leave(acting_user=place.member, group=place.group)
    assert selectors.unread_notification_count(place.member) == 1  # they may still read it
    sanctions.sanction_ban(acting_user=place.leader,
                           membership=membership_of(place.group, place.member),
                           reason="Harassment.")  # fmt: skip
    assert [note.kind for note in selectors.notifications_for(place.member)] == ["ban"]
