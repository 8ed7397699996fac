"""Helpers shared by the thread tests: people whose names never look alike, a group
with someone in every role, signed-in clients, and small readers for page HTML."""

import datetime
import itertools
import random
import re
import uuid
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forum.services import threads as thread_services
from groups.models import Group, Membership
from tests.factories import add_member, make_group, make_user

# One letter from each look-alike class of accounts.display_names ("l" looks like "i",
# "o" like "0", "t" like "r"...), so two generated names never share a name key.
_LETTERS = "abcdefghjkmnpqrwx"
_numbers = itertools.count()
# Differs between test processes, so leftover rows from another run never collide.
_RUN = "".join(random.choice(_LETTERS) for _ in range(3))


def unique_word() -> str:
    """Seven letters, different every call (in this process and, very likely, others)."""
    number, text = next(_numbers), ""
    for _ in range(4):
        number, digit = divmod(number, len(_LETTERS))
        text = _LETTERS[digit] + text
    return _RUN + text


def person(label: str = "Member", **fields):
    """A verified adult who has accepted the site rules, called "<label> <word>"."""
    word = unique_word()
    return make_user(
        email=f"{word}-{uuid.uuid4().hex[:8]}@example.org",
        display_name=f"{label} {word}",
        **fields,
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Community:
    """A public, open group with a person in every role."""

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


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each textarea by name."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.textareas: dict[str, str] = {}
        self._textarea: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "textarea":
            self._textarea = attributes.get("name") or ""
            self.textareas[self._textarea] = ""

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.textareas[self._textarea] += data

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.tags if name == tag]

    def input_value(self, name: str) -> str | None:
        for attributes in self.named("input"):
            if attributes.get("name") == name:
                return attributes.get("value")
        return None


def draft_body(html: str) -> str:
    """The message box's text as the browser would show it (one leading newline is
    dropped by HTML itself)."""
    text = Elements(html).textareas["body"]
    return text.removeprefix("\r\n").removeprefix("\n")


def post_bodies(html: str) -> list[str]:
    """The inner HTML of each post body on a thread page. Sanitized bodies cannot
    contain a <div>, so the first </div> ends each one."""
    return re.findall(r'<div class="prose">(.*?)</div>', html, flags=re.DOTALL)
