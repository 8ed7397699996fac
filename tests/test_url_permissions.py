"""Who may open which page: one table over every URL of ours, by role. Every page
that renders also carries the "Get help now" link."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import make_staff, make_user
from tests.groups import test_permission_table as group_table
from tests.recovery import test_permission_table as recovery_table

pytestmark = pytest.mark.django_db

# A staff account without two-factor authentication has no staff powers: a member.
ROLES = ["anonymous", "member", "staff", "staff_no_2fa"]
LOGIN = "login"  # a redirect to the login page

# url name -> expected result for (anonymous, member, staff, staff without two-factor)
TABLE = {
    "home": (200, 200, 200, 200),
    "safety:help": (200, 200, 200, 200),
    "safety:rules": (200, 200, 200, 200),
    "safety:accessibility": (200, 200, 200, 200),
    "accounts:settings": (LOGIN, 200, 200, 200),
    "accounts:delete": (LOGIN, 200, 200, 200),
    "admin:index": (LOGIN, 403, 200, 403),
    "account_signup": (200, 302, 302, 302),
    "account_login": (200, 302, 302, 302),
    "account_email": (LOGIN, 200, 200, 200),
    "account_change_password": (LOGIN, 200, 200, 200),
    "mfa_index": (LOGIN, 200, 200, 200),
    "forum:notifications": (LOGIN, 200, 200, 200),
    "forum:notification_settings": (LOGIN, 200, 200, 200),
    "forum:notifications_read_all": (LOGIN, 405, 405, 405),  # the centre's button posts
    "moderation:queue": (LOGIN, 403, 200, 403),
    "moderation:my_reports": (LOGIN, 200, 200, 200),
    "moderation:playbook": (LOGIN, 403, 200, 403),
    "welcome": (LOGIN, 405, 405, 405),  # the welcome form on the home posts here
}
# Pages whose address carries a token: their own table below.
WITH_TOKENS = {"accounts:unsubscribe"}
# Pages about one row of the member's own: their own test below.
OWN_ROWS = {"forum:notification_open"}


def user_for(role):
    if role == "member":
        return make_user(display_name="Table Member")
    if role == "staff":
        return make_staff(display_name="Table Staff")
    if role == "staff_no_2fa":
        return make_staff(display_name="Table Staff", mfa=False)
    return None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(TABLE))
def test_page_access_by_role(client, role, url_name):
    user = user_for(role)
    if user:
        client.force_login(user)
    expected = TABLE[url_name][ROLES.index(role)]
    response = client.get(reverse(url_name), follow=url_name.startswith("admin:"))
    if expected == LOGIN:
        chain = getattr(response, "redirect_chain", None)
        final = chain[-1][0] if chain else response["Location"]
        assert final.startswith(reverse("account_login")), final
        return
    assert response.status_code == expected
    if expected == 403 or (expected == 200 and not url_name.startswith("admin:")):
        assert 'class="help-now" href="/help/"' in response.text
    if expected == 403 and role == "staff_no_2fa":
        # Told why, and where to set two-factor up: not a bare refusal.
        assert "Staff powers need two-factor authentication" in response.text
        assert f'href="{reverse("mfa_activate_totp")}"' in response.text


OUR_APPS = {"accounts", "safety", "groups", "forum", "chat", "moderation", "recovery"}


def our_url_names():
    names = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.app_name in OUR_APPS:
            names |= {f"{pattern.namespace}:{p.name}" for p in pattern.url_patterns}
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_page_of_ours_is_in_the_table():
    # Pages of one group have their own table in tests/groups/test_permission_table.py,
    # a member's recovery tools theirs in tests/recovery/test_permission_table.py.
    missing = (our_url_names() - set(TABLE) - WITH_TOKENS - OWN_ROWS
               - group_table.covered_url_names() - recovery_table.covered_url_names())  # fmt: skip
    assert not missing, f"add these to the permission table: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES)
def test_the_unsubscribe_link_works_for_anyone_holding_it_and_only_with_a_real_token(client, role):
    from accounts.unsubscribe import unsubscribe_path

    user = user_for(role)
    if user:
        client.force_login(user)
    owner = make_user(display_name="Mail Reader")
    assert client.get(reverse("accounts:unsubscribe", args=["forged"])).status_code == 404
    page = client.get(unsubscribe_path(owner))
    assert page.status_code == 200
    assert 'class="help-now" href="/help/"' in page.text
    # A mail program's one-click POST (RFC 8058) carries no CSRF token.
    client.handler.enforce_csrf_checks = True
    done = client.post(unsubscribe_path(owner), {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    owner.refresh_from_db()
    assert owner.email_unsubscribed_at is not None


@pytest.mark.parametrize("role", ROLES)
def test_opening_a_notification_is_for_its_owner_only(client, role):
    from groups.models import Notification

    owner = make_user(display_name="Bell Owner")
    note = Notification.objects.create(user=owner, kind="warning", link="/help/")
    url = reverse("forum:notification_open", args=[note.pk])
    user = user_for(role)
    if user:
        client.force_login(user)
    response = client.get(url)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
    client.force_login(owner)
    assert client.get(url)["Location"] == "/help/"
    assert client.post(reverse("forum:notifications_read_all")).status_code == 302
