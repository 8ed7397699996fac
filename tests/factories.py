"""Every shared builder of the test suite, in one place.

Plain factory functions each make one thing the way the app would (make_user,
make_group, add_member, person, report_post...); `Community` builds a whole group with
a person in every role. Where an invariant matters, data is made through the app's
services (threads, posts, reports), not written to the tables directly.

Builders that only one module needs (the permission table's World, the hidden-group
world of test_no_leaks, the query budgets' large data sets...) live in that module."""

import base64
import datetime
import itertools
import random
import secrets
import uuid

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from forum.models import Post
from forum.services import reactions as reaction_services
from forum.services import threads as thread_services
from groups.models import Group, Membership, Report
from safety.rules import CURRENT_RULES_VERSION

PASSWORD = "a-long-test-password-1"
_numbers = itertools.count(1)


# People


def make_user(
    *,
    email: str | None = None,
    display_name: str | None = None,
    password: str = PASSWORD,
    verified: bool = True,
    **fields,
) -> User:
    """A verified adult who has accepted the site rules."""
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


def make_staff(*, mfa: bool = True, label: str | None = None, **fields) -> User:
    """A site administrator (staff and superuser). With mfa (the default) they have a
    real TOTP authenticator, so they act with staff powers; without it they are an
    ordinary member everywhere. A label names them like person() does."""
    fields = {"is_staff": True, "is_superuser": True, **fields}
    user = person(label, **fields) if label else make_user(**fields)
    if mfa:
        add_totp_authenticator(user)
    return user


def add_totp_authenticator(user: User) -> str:
    """Set up two-factor for the user as allauth stores it (an encrypted TOTP secret);
    returns the secret, from which a test can compute codes."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
    )
    return secret


# One letter from each look-alike class of accounts.display_names ("l" looks like "i",
# "o" like "0", "t" like "r"...), so two generated names never share a name key.
_LETTERS = "abcdefghjkmnpqrwx"
_words = itertools.count()
# Differs between test processes, so leftover rows from another run never collide.
_RUN = "".join(random.choice(_LETTERS) for _ in range(3))


def unique_word() -> str:
    """Seven letters, different every call (in this process and, very likely, others)."""
    number, text = next(_words), ""
    for _ in range(4):
        number, digit = divmod(number, len(_LETTERS))
        text = _LETTERS[digit] + text
    return _RUN + text


def person(label: str = "Member", **fields) -> User:
    """make_user with a name no other person's looks like: "<label> <word>"."""
    word = unique_word()
    return make_user(
        email=f"{word}-{uuid.uuid4().hex[:8]}@example.org",
        display_name=f"{label} {word}",
        **fields,
    )


def fresh(user) -> User:
    """The user as the next request would load them: no cached memberships."""
    return User.objects.get(pk=user.pk)


def signed_in(user) -> Client:
    """A test client with a real session for the user."""
    client = Client()
    client.force_login(user)
    return client


# Groups and memberships


def make_group(
    *,
    name: str | None = None,
    visibility: str = Group.Visibility.PUBLIC,
    join_policy: str | None = None,
    owner: User | None = None,
    **fields,
) -> Group:
    """An active group; hidden groups are invite-only unless told otherwise."""
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
    """A membership row in any role and state, rules accepted."""
    fields.setdefault("joined_at", timezone.now() if state == Membership.State.ACTIVE else None)
    fields.setdefault("accepted_rules_version", group.rules_version)
    return Membership.objects.create(group=group, user=user, role=role, state=state, **fields)


def membership_of(group: Group, user: User) -> Membership:
    """The user's membership row in the group, as the database has it now."""
    return Membership.objects.select_related("group", "user").get(group=group, user=user)


# Content


def report_post(post: Post, reporter, reason: str = "harassment", note: str = "") -> Report:
    """A member's report of a post, made through the service (it opens a queue item)."""
    return reaction_services.post_report(acting_user=reporter, post=post, reason=reason, note=note)


# A whole group


class Community:
    """A group (public and open unless told otherwise) with a person in every role:
    owner, leader, settled members (member, other), a newcomer, a muted and a banned
    member, and an outsider. Names never look alike, so any number can coexist."""

    def __init__(self, *, visibility: str = Group.Visibility.PUBLIC, **group_fields):
        self.owner = person("Owner")
        policy = Group.JoinPolicy.INVITE if visibility == Group.Visibility.HIDDEN else None
        self.group = make_group(
            name=f"Recovery {unique_word()}", visibility=visibility, join_policy=policy,
            owner=self.owner, **group_fields,
        )  # fmt: skip
        self.leader = self.join(person("Leader"), role=Membership.Role.LEADER)
        # Settled members: their first posts were approved long ago.
        self.member = self.join(person("Quiet River"), approved_post_count=10)
        self.other = self.join(person("Sunny Hill"), approved_post_count=10)
        self.newcomer = self.join(person("New Leaf"))
        self.muted = self.join(
            person("Muted"),
            approved_post_count=10,
            muted_until=timezone.now() + datetime.timedelta(days=1),
        )
        self.banned = self.join(person("Banned"), state=Membership.State.BANNED)
        self.outsider = person("Outsider")

    def join(self, user, **fields):
        add_member(self.group, user, **fields)
        return user

    def start(self, author=None, *, title: str = "Finding my feet", body: str = "Hello all.",
              **extra):  # fmt: skip
        return thread_services.thread_create(
            acting_user=author or self.member, group=self.group, title=title, body=body, **extra
        )

    def reply(self, thread, author, body: str = "Thank you for sharing.", **extra):
        return thread_services.post_create(acting_user=author, thread=thread, body=body, **extra)

    def threads_url(self) -> str:
        return reverse("forum:threads", args=[self.group.slug])

    def thread_url(self, thread) -> str:
        return reverse("forum:thread", args=[self.group.slug, thread.pk])

    def url(self, name: str, *args) -> str:
        return reverse(name, args=[self.group.slug, *args])
