"""Deleting an account asks for the password; wrong guesses there are limited like
failed logins, so the page can't be used to guess a member's password."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def delete(client, password):
    return client.post(reverse("accounts:delete"), {"password": password, "understood": "on"})


def test_wrong_passwords_are_limited_and_then_even_the_right_one_waits(member_client, member):
    for attempt in range(5):
        response = delete(member_client, f"guess-{attempt}")
        assert response.status_code == 200
        assert "That password is not right." in response.text

    refused = delete(member_client, f"guess-{attempt + 1}")
    assert "Too many wrong passwords." in refused.text
    still_refused = delete(member_client, PASSWORD)
    assert "Too many wrong passwords." in still_refused.text
    assert User.objects.get(pk=member.pk).is_active


def test_the_right_password_within_the_limit_deletes_the_account(member_client, member):
    delete(member_client, "one wrong guess")
    response = delete(member_client, PASSWORD)
    assert response.status_code == 302
    assert not User.objects.get(pk=member.pk).is_active
