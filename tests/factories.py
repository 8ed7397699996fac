"""Plain factory functions: each makes one thing the way the app would."""

import itertools

from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from groups.models import Group, Membership
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


def make_group(
    *,
    name: str | None = None,
    visibility: str = Group.Visibility.PUBLIC,
    join_policy: str | None = None,
    owner: User | None = None,
    **fields,
) -> Group:
    number = next(_numbers)
    if join_policy is None:
        join_policy = (
            Group.JoinPolicy.INVITE
            if visibility == Group.Visibility.HIDDEN
            else Group.JoinPolicy.OPEN
        )
    name = name or f"Group {number}"
    fields.setdefault("short_description", f"A place for {name}.")
    fields.setdefault("rules", "Be kind.")
    group = Group.objects.create(
        name=name, slug=slugify(name) or f"group-{number}", visibility=visibility,
        join_policy=join_policy, **fields,
    )  # fmt: skip
    if owner is not None:
        add_member(group, owner, role=Membership.Role.OWNER)
    return group


def add_member(
    group: Group,
    user: User,
    *,
    role: str = Membership.Role.MEMBER,
    state: str = Membership.State.ACTIVE,
    **fields,
) -> Membership:
    fields.setdefault("joined_at", timezone.now() if state == Membership.State.ACTIVE else None)
    fields.setdefault("accepted_rules_version", group.rules_version)
    return Membership.objects.create(group=group, user=user, role=role, state=state, **fields)


def membership_of(group: Group, user: User) -> Membership:
    return Membership.objects.get(group=group, user=user)
