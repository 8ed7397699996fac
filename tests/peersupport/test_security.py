import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_staff

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in header.split(";")
        if part.strip()
    }


def test_pages_send_a_strict_content_security_policy_with_a_nonce_on_every_script(client):
    response = client.get(reverse("home"))
    directives = csp_directives(response)
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    scripts = re.findall(r"<script[^>]*>", response.text)
    assert scripts, "the page should load its script"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag
    # No inline event handlers and nothing loaded from another site.
    assert not re.search(r"\son[a-z]+=", response.text)
    assert not re.search(r'(src|href)="https?://', response.text.split("<main", 1)[0])


def test_a_new_nonce_for_every_response(client):
    first = csp_directives(client.get(reverse("home")))["script-src"]
    second = csp_directives(client.get(reverse("home")))["script-src"]
    assert first != second


def test_baseline_headers(client):
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_for_signed_in_members_are_never_stored(member_client, client):
    response = member_client.get(reverse("safety:help"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_public_pages_for_visitors_may_be_cached(client):
    assert "no-store" not in client.get(reverse("safety:help")).get("Cache-Control", "")


def production_env(**extra) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_", "DEBUG", "ALLOWED_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="peersupport.settings.production",
        SECRET_KEY="x7#Kq2!vR9mZ@pL4sT8wY1nB6cF3hJ0dG5eA-uI_oW+xQ=zN/kE%rD",
        ALLOWED_HOSTS="peersupport.example.org",
        SMTP_HOST="smtp.example.org",
        RECOVERY_ENCRYPTION_KEYS="fDGIL7m6W0Qm4ahkKJKO3T6OqH4eXDJSyCoMRMKvTnM=",
        **extra,
    )
    return env


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("required", ["SECRET_KEY", "SMTP_HOST", "RECOVERY_ENCRYPTION_KEYS"])
def test_production_settings_refuse_to_start_without_what_they_need(required):
    env = production_env()
    del env[required]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"Set the {required} environment variable" in result.stderr


def test_production_collects_static_files_and_sends_hsts_and_secure_cookies(tmp_path):
    env = production_env(STATIC_ROOT=str(tmp_path))
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    script = (
        "from django.test import Client;"
        "r = Client().get('/help/', secure=True, headers={'host': 'peersupport.example.org'});"
        "print(r.status_code, r['Strict-Transport-Security']);"
        "from django.conf import settings;"
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    status_line, cookies_line = result.stdout.strip().splitlines()[-2:]
    assert status_line.startswith("200 max-age=31536000; includeSubDomains; preload")
    assert cookies_line == "True True"


def test_staff_without_two_factor_are_told_to_set_it_up_before_admin(client):
    staff = make_staff(display_name="Site Keeper", mfa=False)
    client.force_login(staff)
    for path in ("/admin/", "/admin/login/", "/admin/accounts/user/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "Staff powers need two-factor authentication" in response.text
        assert f'href="{reverse("mfa_activate_totp")}"' in response.text


def test_staff_with_two_factor_reach_admin_and_find_members_by_name_or_email(client):
    staff = make_staff(display_name="Site Keeper")
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    make_staff(email="findme@example.org", display_name="Findable Person")
    by_name = client.get("/admin/accounts/user/", {"q": "Findable"})
    by_email = client.get("/admin/accounts/user/", {"q": "findme@example"})
    assert "Findable Person" in by_name.text
    assert "Findable Person" in by_email.text
    assert "peersupport administration" in by_name.text


def test_non_staff_members_cannot_open_admin(member_client):
    response = member_client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "You can't do that here" in response.text
