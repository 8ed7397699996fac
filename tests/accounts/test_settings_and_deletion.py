import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.display_names import name_key
from accounts.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_member_updates_their_profile(member_client, member):
    response = member_client.post(
        reverse("accounts:settings"),
        {"display_name": "Calm Water", "about": "One day at a time.",
         "time_zone": "Europe/London", "country": "GB"},
    )  # fmt: skip
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.about, member.time_zone, str(member.country)) == (
        "Calm Water", "One day at a time.", "Europe/London", "GB",
    )  # fmt: skip
    assert member.display_name_key == name_key("calm water")


def test_a_rejected_profile_change_keeps_what_was_typed_and_changes_nothing(member_client, member):
    make_user(display_name="Taken Name")
    response = member_client.post(
        reverse("accounts:settings"),
        {"display_name": "taken_name", "about": "Draft words I want to keep",
         "time_zone": "Europe/London", "country": "GB"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Someone is already known by that name" in response.text
    assert "Draft words I want to keep" in response.text
    member.refresh_from_db()
    assert member.display_name == "Quiet River"
    assert member.about == ""


def test_an_unknown_time_zone_is_refused_kindly(member_client):
    response = member_client.post(
        reverse("accounts:settings"),
        {"display_name": "Quiet River", "about": "", "time_zone": "Mars/Olympus", "country": ""},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text


def test_members_keep_their_own_name_when_saving_other_settings(member_client, member):
    response = member_client.post(
        reverse("accounts:settings"),
        {"display_name": "Quiet River", "about": "hi", "time_zone": "UTC", "country": ""},
    )
    assert response.status_code == 302


def test_deleting_an_account_needs_the_password_and_a_tick(member_client, member):
    response = member_client.post(reverse("accounts:delete"), {"password": "wrong"})
    assert response.status_code == 200
    assert "That password is not right" in response.text
    assert "Please tick this box to confirm" in response.text
    member.refresh_from_db()
    assert not member.is_deleted


def test_deleting_an_account_removes_personal_data_and_logs_out(member_client, member):
    response = member_client.post(
        reverse("accounts:delete"), {"password": PASSWORD, "understood": "on"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_deleted
    assert member.public_name == "former member"
    assert str(member) == "former member"
    assert member.display_name == "" and member.about == "" and member.display_name_key is None
    assert "example.org" not in member.email
    assert not member.is_active
    assert not member.has_usable_password()
    assert not EmailAddress.objects.filter(user=member).exists()
    assert "_auth_user_id" not in member_client.session
    # The name is free again, and the old email can sign up afresh.
    make_user(email="member1@example.org", display_name="Quiet River")


def test_deleted_member_cannot_log_in(client, member):
    email = member.email
    client.force_login(member)
    client.post(reverse("accounts:delete"), {"password": PASSWORD, "understood": "on"})
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(pk=member.pk).exists()
