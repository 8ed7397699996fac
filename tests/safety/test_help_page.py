import pytest
from django.test import RequestFactory
from django.urls import reverse

from safety import helplines
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_help_page_says_it_is_not_a_crisis_service_and_lists_the_us_lines_by_default(client):
    page = client.get(reverse("safety:help")).text
    assert "not a crisis service" in page
    assert 'href="tel:988"' in page and 'href="sms:988"' in page
    assert "1-800-662-4357" in page
    assert "https://findahelpline.com" in page
    assert "naloxone" in page
    assert "Stay with them" in page


@pytest.mark.parametrize(
    ("country", "expected", "emergency"),
    [("GB", "116 123", "999"), ("IE", "116 123", "112 or 999"), ("AU", "13 11 14", "000"),
     ("CA", "988", "911"), ("US", "1-800-662-4357", "911")],
)  # fmt: skip
def test_members_see_the_lines_for_the_country_in_their_profile(
    client, country, expected, emergency
):
    client.force_login(make_user(country=country))
    page = client.get(reverse("safety:help")).text
    assert expected in page
    assert f"call {emergency} now" in page


def test_visitors_get_their_browser_languages_country(client):
    page = client.get(reverse("safety:help"), headers={"accept-language": "en-GB,en;q=0.8"}).text
    assert "Samaritans" in page
    assert "1-800-662-4357" not in page


def test_anyone_can_choose_another_country(client):
    client.force_login(make_user(country="US"))
    page = client.get(reverse("safety:help"), {"country": "au"}).text
    assert "Lifeline" in page


def test_a_country_we_do_not_list_falls_back_to_us_lines_and_the_international_directory(client):
    page = client.get(reverse("safety:help"), {"country": "FR"}).text
    assert "We don't know which country you are in" in page
    assert "988" in page and "findahelpline.com" in page


@pytest.mark.parametrize(
    ("header", "country"),
    [("en-GB,en;q=0.9", "GB"), ("fr", None), ("es-419", None), ("en_au", "AU"), ("", None)],
)
def test_country_from_accept_language(header, country):
    assert helplines.country_from_accept_language(header) == country


def test_every_listed_country_has_an_emergency_number_and_a_resource_with_a_way_to_reach_it():
    for entry in helplines.all_countries().values():
        assert entry.emergency_number
        assert entry.resources
        for resource in entry.resources:
            assert resource.phone or resource.sms or resource.url


def test_the_error_page_for_a_server_failure_needs_no_database(django_assert_num_queries):
    from peersupport.views import server_error

    request = RequestFactory().get("/anything/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert b'href="/help/"' in response.content
    assert b"Get help now" in response.content


def test_not_found_pages_carry_the_help_link(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'class="help-now" href="/help/"' in response.text


def test_rules_page_shows_its_version(client):
    page = client.get(reverse("safety:rules")).text
    assert "Version 1" in page
    assert "No sourcing or selling" in page
    assert "medication-assisted treatment" in page.lower()


def test_admins_edit_helplines_in_the_database_and_the_page_follows(client):
    from safety.models import CountryHelp, CrisisResource

    CountryHelp.objects.all().delete()
    nz = CountryHelp.objects.create(code="NZ", country_name="New Zealand", emergency_number="111")
    CrisisResource.objects.create(country=nz, name="Need to Talk? 1737", detail="Call or text.",
                                  phone="1737", sms="1737")  # fmt: skip
    CountryHelp.objects.create(code="default", country_name="Anywhere",
                               emergency_number="your local emergency number")  # fmt: skip
    page = client.get(reverse("safety:help"), {"country": "NZ"}).text
    assert "Need to Talk? 1737" in page
    assert "call 111 now" in page


def test_the_help_page_works_when_the_database_is_down():
    """A real server process whose database does not answer (nothing listens on
    port 1) still shows the helplines, from the file."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peersupport.settings.test",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere"}  # fmt: skip
    env.pop("TEST_DATABASE_NAME", None)
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/help/', headers={'accept-language': 'en-GB'});"
        "print(r.status_code); print('Samaritans' in r.text, 'Get help now' in r.text)"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["200", "True", "True"]
