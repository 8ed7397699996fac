"""Web addresses become links by one library's rules (linkify-it-py, through
markdown-it-py), the same in posts and in chat: the chat page, the socket's frames
and the thread page all carry HTML made by groups/markdown.py."""

import re
import uuid

import pytest

from chat import services as chat_services
from chat.services import payload
from groups.markdown import LINK_REL, render_chat_text, render_markdown
from tests.factories import Community, signed_in
from tests.forum.helpers import Elements, post_bodies

pytestmark = pytest.mark.django_db

TYPED = [
    "https://example.org/steps?a=1&b=2",
    "http://meetings.example/list",
    "www.example.com/path_(with)_parens",
    "https://example.org/a-very-long-path/" + "segment-" * 30,
]


def anchors(fragment: str) -> list[str]:
    return re.findall(r"<a [^>]*>.*?</a>", str(fragment))


@pytest.mark.parametrize("address", TYPED)
def test_a_bare_address_is_the_same_link_in_a_post_and_in_chat(address):
    text = f"Have a look at {address}, it helped me."

    in_post = anchors(render_markdown(text))
    in_chat = anchors(render_chat_text(text))

    assert len(in_post) == 1
    assert in_post == in_chat
    assert f'rel="{LINK_REL}"' in in_post[0]


def test_a_bare_address_in_a_post_becomes_a_link_on_the_thread_page():
    place = Community()
    thread = place.start(place.leader, body="The meeting list: https://meetings.example/list.")

    page = signed_in(place.other).get(place.thread_url(thread)).content.decode()

    (link,) = Elements(post_bodies(page)[0]).named("a")
    assert (link["href"], link["rel"]) == ("https://meetings.example/list", LINK_REL)


def test_a_look_alike_address_reads_as_typed_not_as_the_site_it_imitates():
    # xn--80ak6aa92e.com is Cyrillic letters that look like apple.com.
    for rendered in (render_markdown("xn--80ak6aa92e.com"), render_chat_text("xn--80ak6aa92e.com")):
        (link,) = anchors(rendered)
        assert ">xn--80ak6aa92e.com</a>" in link


def test_addresses_of_other_schemes_stay_text():
    text = "ftp://files.example/x //elsewhere.example/x javascript:alert(1) http://[::1"
    for rendered in (render_markdown(text), render_chat_text(text)):
        assert "<a" not in rendered


def test_a_chat_message_frame_carries_the_html_its_page_shows():
    place = Community()
    room = chat_services.room_for(place.group)
    message, _created = chat_services.chat_message_send(
        acting_user=place.member, room=room, body="Found this: www.example.org/help <b>ok</b>",
        client_msg_id=uuid.uuid4(),
    )  # fmt: skip

    sent = payload(message)
    page = signed_in(place.other).get(place.url("chat:room")).content.decode()

    assert sent["html"] == str(render_chat_text(message.body))
    assert sent["html"] in page
    assert sent["html"].count("<a ") == 1
    assert "&lt;b&gt;ok&lt;/b&gt;" in sent["html"]
