"""Bad input through the real views: starting a thread, replying and editing.

Every refusal is a page (never a 500) with an error a person can act on, the draft
still in the form (without the hidden characters we refused), and nothing stored."""

import html
import re

import pytest

from forum.models import Post, PostRevision, Thread
from groups.text import BIDI_CONTROLS
from tests.factories import Community, signed_in
from tests.forum.helpers import Elements, draft_body

pytestmark = pytest.mark.django_db

HIDDEN = BIDI_CONTROLS | {"\x00"}
EMPTY = "Please write your message before sending."


class Scene:
    """A member with a thread of their own, ready to send forms."""

    def __init__(self):
        self.world = Community()
        self.author = self.world.member
        self.thread = self.world.start(self.author, title="Day one", body="Starting again.")
        self.post = self.thread.posts.get()
        self.client = signed_in(self.author)

    def snapshot(self):
        return (
            Thread.objects.count(),
            list(Post.objects.order_by("pk").values_list("pk", "body", "content_warning",
                                                         "content_warning_note", "edited_at")),
            PostRevision.objects.count(),
        )  # fmt: skip

    def send(self, where: str, **fields):
        world = self.world
        data = {"body": "A fine message.", "content_warning": "", "content_warning_note": ""}
        if where == "thread":
            data["title"] = "A fine title"
        data |= fields
        url = {
            "thread": world.url("forum:thread_create"),
            "reply": world.url("forum:reply", self.thread.pk),
            "edit": world.url("forum:post_edit", self.post.pk),
        }[where]
        return self.client.post(url, data)


@pytest.fixture
def scene():
    return Scene()


def readable(response) -> str:
    return html.unescape(response.content.decode())


def assert_refused(scene, before, response, message):
    assert response.status_code in (200, 400), response.status_code
    assert message in readable(response)
    assert scene.snapshot() == before
    text = response.content.decode()
    assert not any(char in text for char in HIDDEN)


FORMS = ["thread", "reply", "edit"]
MEGABYTE = "x" * 1_048_576

# name: (body sent, error shown, draft expected back in the message box or None)
BAD_BODIES = {
    "empty": ("", EMPTY, ""),
    "whitespace only": ("  \n\t \r\n   ", EMPTY, None),
    "one character too long": (
        "a" * 20_001,
        "Your message is 20,001 characters; the most we can take is 20,000. Everything "
        "you wrote is still here",
        "a" * 20_001,
    ),
    "a megabyte": (MEGABYTE, "Your message is 1,048,576 characters", MEGABYTE),
    "a NUL byte": (
        "Hello\x00 there",
        "Your message contained 1 hidden control character(s), which we've taken out.",
        "Hello there",
    ),
    "a right-to-left override": (
        "I feel \u202eenif\u202c today",
        "Your message contained 2 hidden control character(s)",
        "I feel enif today",
    ),
    "a left-to-right isolate": (
        "Call \u2066555-0100\u2069 now",
        "Your message contained 2 hidden control character(s)",
        "Call 555-0100 now",
    ),
}


@pytest.mark.parametrize("where", FORMS)
@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_a_bad_message_is_refused_with_a_clear_error_and_the_draft_kept(scene, where, case):
    body, message, draft = BAD_BODIES[case]
    before = scene.snapshot()

    response = scene.send(where, body=body)

    assert_refused(scene, before, response, message)
    if draft is not None:
        assert draft_body(response.content.decode()) == draft


BAD_TITLES = {
    "empty": ("", "Please write your title before sending.", ""),
    "whitespace only": ("   ", "Please write your title before sending.", None),
    "one character too long": (
        "t" * 141,
        "Your title is 141 characters; the most we can take is 140.",
        "t" * 141,
    ),
    "very long": ("A" * 5_000, "Your title is 5,000 characters", "A" * 5_000),
    "a NUL byte": (
        "My\x00 week",
        "Your title contained 1 hidden control character(s)",
        "My week",
    ),
    "a right-to-left override": (
        "\u202eyadretsey",
        "Your title contained 1 hidden control character(s)",
        "yadretsey",
    ),
    "a left-to-right isolate": (
        "Week \u2066two\u2069",
        "Your title contained 2 hidden control character(s)",
        "Week two",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TITLES))
def test_a_bad_title_is_refused_with_a_clear_error_and_the_draft_kept(scene, case):
    title, message, draft = BAD_TITLES[case]
    before = scene.snapshot()

    response = scene.send("thread", title=title, body="The body is fine.")

    assert_refused(scene, before, response, message)
    page = Elements(response.content.decode())
    if draft is not None:
        assert (page.input_value("title") or "") == draft
    assert draft_body(response.content.decode()) == "The body is fine."


def test_hidden_characters_in_both_title_and_message_are_reported_for_each(scene):
    before = scene.snapshot()
    response = scene.send("thread", title="Safe\u202e?", body="Mostly \x00safe\u2066")
    assert_refused(scene, before, response, "Your title contained 1 hidden control character(s)")
    assert "Your message contained 2 hidden control character(s)" in readable(response)
    assert draft_body(response.content.decode()) == "Mostly safe"
    assert Elements(response.content.decode()).input_value("title") == "Safe?"


@pytest.mark.parametrize("where", FORMS)
@pytest.mark.parametrize("note", ["", "   "])
def test_an_other_content_warning_needs_a_note(scene, where, note):
    before = scene.snapshot()
    response = scene.send(where, body="Hard to read.", content_warning="other",
                          content_warning_note=note)  # fmt: skip
    assert_refused(scene, before, response, "Please say in a few words what the warning is about.")
    assert draft_body(response.content.decode()) == "Hard to read."


@pytest.mark.parametrize("where", FORMS)
def test_an_unknown_content_warning_is_refused(scene, where):
    before = scene.snapshot()
    response = scene.send(where, content_warning="not-a-warning")
    assert_refused(scene, before, response, "Select a valid choice.")


@pytest.mark.parametrize("where", FORMS)
@pytest.mark.parametrize("note", ["court\x00 dates", "\u202esetad", "court \u2066dates\u2069"])
def test_hidden_characters_in_the_warning_note_are_refused(scene, where, note):
    before = scene.snapshot()
    response = scene.send(where, body="Hard to read.", content_warning="other",
                          content_warning_note=note)  # fmt: skip
    assert scene.snapshot() == before, "a warning note with hidden characters was stored"
    assert response.status_code in (200, 400)
    assert not any(char in response.content.decode() for char in HIDDEN)


@pytest.mark.parametrize("where", FORMS)
def test_a_good_message_is_stored_after_a_refused_one(scene, where):
    scene.send(where, body="")
    response = scene.send(where, body="Now it is right.")
    assert response.status_code == 302
    assert Post.objects.filter(body="Now it is right.").count() == 1


def test_the_longest_allowed_title_and_message_are_accepted(scene):
    title, body = "T" * 140, "B" * 20_000
    response = scene.send("thread", title=title, body=body)
    assert response.status_code == 302
    thread = Thread.objects.get(title=title)
    assert thread.posts.get().body == body


def test_a_content_warned_post_is_folded_in_details_that_open_without_javascript(scene):
    world = scene.world
    world.reply(scene.thread, world.other, "I slipped last night.", content_warning="relapse")
    world.reply(scene.thread, world.leader, "About my court dates.", content_warning="other",
                content_warning_note="legal trouble")  # fmt: skip
    world.reply(scene.thread, world.member, "No warning needed.")

    page = signed_in(world.outsider).get(world.thread_url(scene.thread)).content.decode()

    folded = re.findall(
        r'<details class="content-warning">\s*<summary>(.*?)</summary>\s*'
        r'<div class="prose">(.*?)</div>\s*</details>',
        page, flags=re.DOTALL,
    )  # fmt: skip
    assert len(folded) == 2
    (summary_one, body_one), (summary_two, body_two) = folded
    assert "Content warning: Relapse" in summary_one
    assert "I slipped last night." not in summary_one
    assert "I slipped last night." in body_one
    assert "Content warning: Other: legal trouble" in summary_two
    assert "About my court dates." in body_two
    # Closed by default, and opened by the browser itself: no script, no hidden attribute.
    assert "<details open" not in page
    assert not re.search(r"<details[^>]*\shidden", page)
    unfolded = page.index("No warning needed.")
    assert page.rfind("<details", 0, unfolded) < page.rfind("</details>", 0, unfolded)
