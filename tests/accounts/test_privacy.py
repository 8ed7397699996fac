import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_other_members_never_see_an_email_address_on_any_page(client):
    author = make_user(email="private.person@example.org", display_name="Private Person")
    viewer = make_user(display_name="Someone Else")
    client.force_login(viewer)
    for url in [reverse("home"), reverse("safety:help"), reverse("safety:rules")]:
        assert "private.person@example.org" not in client.get(url).text
    assert str(author) == "Private Person"


def test_allauth_names_a_member_by_display_name_not_email(member):
    from allauth.account.utils import user_display

    assert user_display(member) == "Quiet River"
