"""Every error page is the site's own: kind words and "Get help now". (How they look
while the database is down: test_database_outage.py, against a real server.)"""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from peersupport import views
from tests.factories import make_user

pytestmark = pytest.mark.django_db

HELP_LINK = 'class="help-now" href="/help/"'


def test_a_bad_request_gets_the_sites_own_page():
    response = Client().get("/", headers={"host": "elsewhere.example"})
    assert response.status_code == 400
    assert "We couldn't understand that request" in response.text
    assert HELP_LINK in response.text


def test_a_form_that_fails_the_csrf_check_gets_the_sites_own_page():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post(reverse("account_logout"))
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert HELP_LINK in response.text


def test_too_many_logins_get_the_sites_own_429_page(client):
    """allauth's own limit on logins from one address (30 a minute) answers with our
    page, not its bare one."""
    user = make_user()
    statuses = []
    for _ in range(31):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "no"})
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert "Let's pause for a moment" in response.text
    assert HELP_LINK in response.text


def test_a_server_error_gets_the_sites_own_page():
    request = RequestFactory().get("/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = views.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert 'href="/help/"' in response.content.decode()
