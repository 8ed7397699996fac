"""Plain factory functions: each makes one thing the way the app would."""

import itertools

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from safety.rules import CURRENT_RULES_VERSION

PASSWORD = "a-long-test-password-1"
_numbers = itertools.count(1)


def make_user(
    *,
    email: str | None = None,
    display_name: str | None = None,
    password: str = PASSWORD,
    verified: bool = True,
    **fields,
) -> User:
    number = next(_numbers)
    email = email or f"member{number}@example.org"
    now = timezone.now()
    fields.setdefault("confirmed_adult_at", now)
    fields.setdefault("rules_version_accepted", CURRENT_RULES_VERSION)
    fields.setdefault("rules_accepted_at", now)
    user = User.objects.create_user(
        email, password, display_name=display_name or f"Member {number}", **fields
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def make_staff(**fields) -> User:
    return make_user(is_staff=True, is_superuser=True, **fields)
