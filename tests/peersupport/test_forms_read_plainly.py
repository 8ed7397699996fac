"""Small things seen while trying the site as a newcomer: a page whose form has errors
says so in its title (GOV.UK's pattern, so screen-reader users hear it first), the
country list has a real prompt, and the chat says "Press Enter to send" only when the
script that makes Enter send is running."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import Community, person, signed_in

pytestmark = pytest.mark.django_db


def test_a_form_with_errors_puts_error_first_in_the_page_title():
    member = person("Title Reader")
    page = Client().post(reverse("account_login"), {"login": member.email, "password": ""})
    assert "<title>Error: " in page.text
    clean = Client().get(reverse("account_login"))
    assert "<title>Error: " not in clean.text


def test_the_country_field_asks_for_a_country_instead_of_dashes():
    page = signed_in(person("Far Away")).get(reverse("accounts:settings")).text
    assert '<option value="" selected>Choose your country (optional)</option>' in page
    assert "---------" not in page


def test_the_chat_tells_about_the_enter_key_only_once_its_script_shows_the_hint():
    world = Community()
    page = signed_in(world.member).get(reverse("chat:room", args=[world.group.slug])).text
    assert '<span id="chat-enter-hint" hidden>Press Enter to send' in page
