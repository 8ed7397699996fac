import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from safety.rules import CURRENT_RULES_VERSION
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "newcomer@example.org",
    "display_name": "Morning Light",
    "password1": "correct-horse-battery",
    "password2": "correct-horse-battery",
    "confirm_adult": "on",
    "accept_rules": "on",
}


def confirmation_link(message) -> str:
    return re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", message.body).group(0)


def test_signup_then_verify_then_login_then_logout(client, mailoutbox):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="newcomer@example.org")
    assert user.display_name == "Morning Light"
    assert user.confirmed_adult_at is not None
    assert user.rules_version_accepted == CURRENT_RULES_VERSION

    # Not verified yet: logging in only sends the member back to verify.
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    assert len(mailoutbox) >= 1
    link = confirmation_link(mailoutbox[0])
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    assert client.post("/" + path).status_code == 302
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified

    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    home = client.get(reverse("home"))
    assert "Welcome back, Morning Light." in home.text

    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_signup_with_a_known_email_looks_exactly_like_signup_with_a_new_one(client, mailoutbox):
    make_user(email="known@example.org", display_name="Known Person")
    known = client.post(reverse("account_signup"), {**SIGNUP, "email": "known@example.org"})
    client.logout()
    unknown = client.post(
        reverse("account_signup"),
        {**SIGNUP, "email": "unknown@example.org", "display_name": "Other Name"},
    )
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The owner of the known address is told by email, not the person at the keyboard.
    assert User.objects.filter(email="known@example.org").count() == 1
    assert sorted(message.to[0] for message in mailoutbox) == [
        "known@example.org",
        "unknown@example.org",
    ]


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client, mailoutbox):
    make_user(email="known@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "known@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_login_failure_answers_the_same_for_known_and_unknown_emails(client):
    make_user(email="known@example.org")
    known = client.post(
        reverse("account_login"), {"login": "known@example.org", "password": "wrong-password"}
    )
    unknown = client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "wrong-password"}
    )
    assert known.status_code == unknown.status_code == 200

    def errors(response):
        return [str(error) for error in response.context["form"].non_field_errors()]

    assert errors(known) == errors(unknown)
    assert errors(known)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("confirm_adult", None, "This community is for adults"),
        ("accept_rules", None, "Please read and accept the community rules"),
        ("display_name", "admin", "kept for the site and its moderators"),
        ("display_name", "ab", "at least 3 characters"),
        ("display_name", "Sam\u202eJones", "invisible or control character"),
    ],
)
def test_signup_errors_explain_themselves_and_keep_what_was_typed(client, field, value, message):
    data = {**SIGNUP}
    if value is None:
        data.pop(field)
    else:
        data[field] = value
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert message in response.text
    assert 'value="newcomer@example.org"' in response.text
    assert 'class="error-summary"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_signup_refuses_a_name_that_looks_like_someone_elses(client):
    make_user(display_name="Hope Rising")
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "display_name": "h\u043epe_rising"}
    )
    assert response.status_code == 200
    assert "Someone is already known by that name" in response.text


def test_login_page_covers_django_admin(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    login = client.get(response["Location"])
    assert login.status_code == 302
    assert login["Location"].startswith(reverse("account_login"))


def test_members_log_in_with_the_password_they_chose(client):
    make_user(email="member@example.org")
    response = client.post(
        reverse("account_login"), {"login": "member@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_repeated_failed_logins_are_slowed_down_through_the_database_cache(client):
    make_user(email="target@example.org")
    pages = [
        client.post(
            reverse("account_login"), {"login": "target@example.org", "password": "guess"}
        ).text
        for _ in range(6)
    ]
    assert all("Too many failed login attempts" not in page for page in pages[:5])
    assert "Too many failed login attempts" in pages[5]
    # Even the right password waits now: the attempts are counted in the shared cache.
    right = client.post(
        reverse("account_login"), {"login": "target@example.org", "password": PASSWORD}
    )
    assert right.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_verification_email_greets_by_the_site_name_and_every_link_is_absolute(
    client, mailoutbox, settings
):
    settings.SITE_NAME = "peersupport"
    settings.SITE_URL = "https://peersupport.example"
    client.post(reverse("account_signup"), SIGNUP)
    body = mailoutbox[0].body
    assert body.startswith("Hello from peersupport!")
    assert "127.0.0.1" not in body.splitlines()[0]
    assert "https://peersupport.example/help/" in body
    assert confirmation_link(mailoutbox[0]).startswith("http")
    bare = [word for word in body.split() if "/" in word and not word.startswith("http")]
    assert bare == [], f"links without a scheme: {bare}"
