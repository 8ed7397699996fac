"""The chat room page without JavaScript: the latest messages rendered on the server,
day separators in the member's own time zone, paging back by sequence number, and a
plain form that sends (a double submit is harmless, an error keeps the draft)."""

import datetime
import html
import re
import uuid
import zoneinfo

import pytest
from django.urls import reverse

from chat import services as chat_services
from chat.models import MESSAGE_MAX_LENGTH, ChatMessage, ChatRoom
from groups.models import Group, ReviewItem
from tests.factories import Community, signed_in
from tests.forum.helpers import Elements, draft_body

LINK_REL = "nofollow ugc noopener noreferrer"
UTC = datetime.UTC


@pytest.fixture
def place(db, settings):
    # Sends ring the room after commit; nothing listens in these tests.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return Community()


def room_of(place: Community, kind: str = ChatRoom.Kind.MEMBERS) -> ChatRoom:
    return chat_services.room_for(place.group, kind)


def add_message(room: ChatRoom, author, body: str, *, at: datetime.datetime | None = None,
                **fields) -> ChatMessage:  # fmt: skip
    """A message saved as the service would number it, at a chosen time."""
    room.refresh_from_db()
    room.last_seq += 1
    room.save(update_fields=["last_seq"])
    return ChatMessage.objects.create(
        room=room, seq=room.last_seq, author=author, body=body,
        created_at=at or datetime.datetime.now(UTC), **fields,
    )  # fmt: skip


def chat_url(place: Community, kind: str = ChatRoom.Kind.MEMBERS) -> str:
    name = "chat:leaders_room" if kind == ChatRoom.Kind.LEADERS else "chat:room"
    return reverse(name, args=[place.group.slug])


def message_items(page: str) -> list[dict[str, str | None]]:
    """The attributes of each message in the log, in page order."""
    return [
        attributes
        for attributes in Elements(page).named("li")
        if "chat-message" in (attributes.get("class") or "").split()
    ]


def shown_seqs(page: str) -> list[int]:
    return [int(item["data-seq"]) for item in message_items(page)]


def day_separators(page: str) -> list[tuple[str, str]]:
    """(data-day, the label a reader sees) for each day separator."""
    found = re.findall(r'<li class="chat-day" data-day="([^"]+)"><span>([^<]*)</span></li>', page)
    return [(day, html.unescape(label)) for day, label in found]


def message_body_html(page: str, message: ChatMessage) -> str:
    item = re.search(
        rf'<li class="chat-message[^"]*" id="message-{message.pk}".*?</li>', page, re.DOTALL
    )
    assert item, f"message {message.pk} is not on the page"
    body = re.search(r'<span class="chat-message__body[^"]*">(.*?)</span>', item.group(0),
                     re.DOTALL)  # fmt: skip
    return body.group(1)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# --- who may see the page -----------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, place):
    response = client.get(chat_url(place))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_chat_page_is_for_members_only(place):
    assert signed_in(place.outsider).get(chat_url(place)).status_code == 403
    assert signed_in(place.banned).get(chat_url(place)).status_code == 403
    assert signed_in(place.member).get(chat_url(place)).status_code == 200


def test_a_private_groups_chat_is_not_even_admitted_to_outsiders(db, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    private = Community(visibility=Group.Visibility.PRIVATE)

    response = signed_in(private.outsider).get(chat_url(private))

    assert response.status_code == 404


def test_the_leaders_room_page_is_for_leaders(place):
    url = chat_url(place, ChatRoom.Kind.LEADERS)

    assert signed_in(place.member).get(url).status_code == 403
    response = signed_in(place.leader).get(url)
    assert response.status_code == 200
    assert "/ws/groups/" + place.group.slug + "/chat/leaders/" in response.content.decode()


# --- the latest messages, paging and day separators ------------------------------------------


def test_the_page_shows_the_latest_messages_server_side_oldest_first(place):
    room = room_of(place)
    start = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    for number in range(1, 56):
        add_message(room, place.member, f"Message number {number}.",
                    at=start + datetime.timedelta(minutes=number))  # fmt: skip

    response = signed_in(place.other).get(chat_url(place))

    assert response.status_code == 200
    page = response.content.decode()
    assert shown_seqs(page) == list(range(6, 56))
    assert "Message number 55." in page
    assert "Message number 5." not in page
    chat = next(tag for tag in Elements(page).named("div") if tag.get("id") == "chat")
    assert chat["data-last-seq"] == "55"
    assert chat["data-paging"] == "false"
    earlier = [a for a in Elements(page).named("a") if a.get("href") == "?before=6"]
    assert len(earlier) == 1
    assert "Load earlier messages" in page
    assert "Back to the latest messages" not in page


def test_load_earlier_pages_back_by_sequence_number(place):
    room = room_of(place)
    for number in range(1, 121):
        add_message(room, place.member, f"Message number {number}.")
    reader = signed_in(place.other)

    latest = reader.get(chat_url(place)).content.decode()
    assert shown_seqs(latest) == list(range(71, 121))
    assert 'href="?before=71"' in latest

    middle = reader.get(chat_url(place) + "?before=71").content.decode()
    assert shown_seqs(middle) == list(range(21, 71))
    assert 'href="?before=21"' in middle
    assert "Back to the latest messages" in middle
    chat = next(tag for tag in Elements(middle).named("div") if tag.get("id") == "chat")
    assert chat["data-paging"] == "true", "the live script stays off on an older page"

    first = reader.get(chat_url(place) + "?before=21").content.decode()
    assert shown_seqs(first) == list(range(1, 21))
    assert "Load earlier messages" not in first
    assert "Back to the latest messages" in first


def test_a_nonsense_before_shows_the_latest_messages(place):
    room = room_of(place)
    for number in range(1, 4):
        add_message(room, place.member, f"Message number {number}.")

    response = signed_in(place.other).get(chat_url(place) + "?before=yesterday")

    assert response.status_code == 200
    assert shown_seqs(response.content.decode()) == [1, 2, 3]


def test_an_empty_room_invites_the_first_message(place):
    page = signed_in(place.member).get(chat_url(place)).content.decode()

    assert "No messages yet." in page
    assert shown_seqs(page) == []


def test_a_day_separator_starts_each_new_day(place):
    room = room_of(place)
    add_message(room, place.member, "Morning.", at=datetime.datetime(2026, 3, 1, 9, tzinfo=UTC))
    add_message(room, place.other, "Evening.", at=datetime.datetime(2026, 3, 1, 20, tzinfo=UTC))
    add_message(room, place.member, "Next day.", at=datetime.datetime(2026, 3, 2, 7, tzinfo=UTC))

    page = signed_in(place.other).get(chat_url(place)).content.decode()

    assert day_separators(page) == [
        ("2026-03-01", "Sunday 1 March 2026"),
        ("2026-03-02", "Monday 2 March 2026"),
    ]
    # Each separator comes right before the first message of its day.
    order = re.findall(r'class="chat-day" data-day="([^"]+)"|data-seq="(\d+)"', page)
    assert [day or int(seq) for day, seq in order] == ["2026-03-01", 1, 2, "2026-03-02", 3]


def test_times_are_shown_in_the_members_time_zone(place):
    place.other.time_zone = "Asia/Tokyo"
    place.other.save(update_fields=["time_zone"])
    room = room_of(place)
    message = add_message(room, place.member, "Late one.",
                          at=datetime.datetime(2026, 3, 1, 23, 30, tzinfo=UTC))  # fmt: skip

    page = signed_in(place.other).get(chat_url(place)).content.decode()

    times = [tag for tag in Elements(page).named("time")
             if "chat-message__time" in (tag.get("class") or "")]  # fmt: skip
    assert len(times) == 1
    assert datetime.datetime.fromisoformat(times[0]["datetime"]) == message.created_at
    assert times[0]["datetime"].endswith("+09:00")
    assert re.search(r'<time class="chat-message__time"[^>]*>08:30</time>', page)
    assert day_separators(page) == [("2026-03-02", "Monday 2 March 2026")]
    chat = next(tag for tag in Elements(page).named("div") if tag.get("id") == "chat")
    assert chat["data-time-zone"] == "Asia/Tokyo"


def test_day_separators_follow_the_members_own_days(place):
    """Two messages on one UTC day can fall on two days in Auckland, and two UTC days
    can be one day in Tokyo: the separators must follow the reader's calendar, as the
    labels do."""
    room = room_of(place)
    # 22:00 on 1 March and 01:00 on 2 March in Auckland (UTC+13); both 1 March in UTC.
    add_message(room, place.member, "Kia ora.", at=datetime.datetime(2026, 3, 1, 9, tzinfo=UTC))
    add_message(room, place.other, "Late.", at=datetime.datetime(2026, 3, 1, 12, tzinfo=UTC))
    auckland = place.newcomer
    auckland.time_zone = "Pacific/Auckland"
    auckland.save(update_fields=["time_zone"])

    page = signed_in(auckland).get(chat_url(place)).content.decode()

    assert day_separators(page) == [
        ("2026-03-01", "Sunday 1 March 2026"),
        ("2026-03-02", "Monday 2 March 2026"),
    ]

    # 08:00 and 10:00 on 3 March in Tokyo (UTC+9); 2 and 3 March in UTC.
    add_message(room, place.member, "Ohayo.", at=datetime.datetime(2026, 3, 2, 23, tzinfo=UTC))
    add_message(room, place.other, "Morning.", at=datetime.datetime(2026, 3, 3, 1, tzinfo=UTC))
    tokyo = place.leader
    tokyo.time_zone = "Asia/Tokyo"
    tokyo.save(update_fields=["time_zone"])

    page = signed_in(tokyo).get(chat_url(place)).content.decode()

    tokyo_zone = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert datetime.datetime(2026, 3, 2, 23, tzinfo=UTC).astimezone(tokyo_zone).day == 3
    assert day_separators(page) == [
        ("2026-03-01", "Sunday 1 March 2026"),
        ("2026-03-03", "Tuesday 3 March 2026"),
    ]


# --- what a message looks like -------------------------------------------------------------


def test_html_in_a_message_is_shown_as_text(place):
    room = room_of(place)
    body = '<script>alert("x")</script><img src=x onerror=alert(1)><b>bold</b> & more'
    message = add_message(room, place.member, body)

    page = signed_in(place.other).get(chat_url(place)).content.decode()

    shown = message_body_html(page, message)
    assert "<" not in shown and ">" not in shown
    assert html.unescape(shown) == body
    assert not [tag for tag in Elements(page).named("img") if tag.get("onerror")]
    assert not [tag for tag in Elements(page).named("b")]
    inline = [tag for tag in Elements(page).named("script")
              if not tag.get("src") and tag.get("type") != "application/json"]  # fmt: skip
    assert inline == [], "no script runs but the page's own files"
    assert '<script>alert("x")' not in page


def test_links_are_made_only_from_web_addresses_and_marked_as_user_content(place):
    room = room_of(place)
    body = (
        "Read https://example.org/steps?a=1&b=2, and (see http://meetings.example/list). "
        "Also www.example.com. Not javascript:alert(1), not ftp://files.example/x, "
        "not //elsewhere.example/x, not data:text/html;base64,PHNjcmlwdD4="
    )
    message = add_message(room, place.member, body)

    page = signed_in(place.other).get(chat_url(place)).content.decode()

    shown = message_body_html(page, message)
    links = Elements(shown).named("a")
    assert [link["href"] for link in links] == [
        "https://example.org/steps?a=1&b=2",
        "http://meetings.example/list",
        "http://www.example.com",
    ]
    assert all(link["rel"] == LINK_REL for link in links)
    assert set().union(*(link.keys() for link in links)) == {"href", "rel"}
    assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == body


def test_a_link_cannot_break_out_of_its_attribute(place):
    room = room_of(place)
    body = 'https://example.org/"onmouseover="alert(1)" x=\'y https://example.org/<b>'
    message = add_message(room, place.member, body)

    page = signed_in(place.other).get(chat_url(place)).content.decode()

    shown = message_body_html(page, message)
    tags = Elements(shown).tags
    assert {name for name, _attributes in tags} == {"a"}
    # The quotes stay in the address, percent-encoded, and the text reads as typed.
    assert [attributes["href"] for _name, attributes in tags] == [
        "https://example.org/%22onmouseover=%22alert(1)",
        "https://example.org/",
    ]
    for _name, attributes in tags:
        assert set(attributes) == {"href", "rel"}
    assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == body


def test_a_deleted_message_shows_a_tombstone_not_its_text(place):
    room = room_of(place)
    message = add_message(room, place.member, "Something that broke the rules.")
    chat_services.chat_message_delete(acting_user=place.leader, message=message, reason="Rule 3")

    page = signed_in(place.other).get(chat_url(place)).content.decode()

    assert "Something that broke the rules." not in page
    assert "Message removed by a peer leader." in page
    assert shown_seqs(page) == [1]


# --- sending without JavaScript -------------------------------------------------------------


def composer(page: str) -> dict[str, str | None]:
    elements = Elements(page)
    return {
        "client_msg_id": elements.input_value("client_msg_id"),
        "csrf": elements.input_value("csrfmiddlewaretoken"),
    }


def test_the_form_sends_a_message_and_a_double_submit_stores_one(place):
    member = signed_in(place.member)
    page = member.get(chat_url(place)).content.decode()
    client_msg_id = composer(page)["client_msg_id"]
    assert uuid.UUID(client_msg_id)
    form = {"body": "Sent without JavaScript.", "client_msg_id": client_msg_id}

    first = member.post(chat_url(place), form)
    second = member.post(chat_url(place), form)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == chat_url(place) + "#composer"
    (stored,) = ChatMessage.objects.all()
    assert (stored.body, stored.author, stored.seq) == (form["body"], place.member, 1)
    assert str(stored.client_msg_id) == client_msg_id
    assert room_of(place).last_seq == 1
    page = member.get(chat_url(place)).content.decode()
    assert page.count("Sent without JavaScript.") == 1
    assert composer(page)["client_msg_id"] != client_msg_id, "each form gets a fresh id"


def test_each_page_gives_the_form_a_new_client_msg_id(place):
    member = signed_in(place.member)

    ids = {composer(member.get(chat_url(place)).content.decode())["client_msg_id"]
           for _ in range(3)}  # fmt: skip

    assert len(ids) == 3


@pytest.mark.parametrize(
    ("draft", "error"),
    [
        ("x" * (MESSAGE_MAX_LENGTH + 1), "2,000 characters at most"),
        ("Hidden \u202e text", "hidden control characters"),
        ("   ", "Please write a message"),
    ],
    ids=["too long", "bidi control", "blank"],
)
def test_a_refused_message_keeps_the_draft_in_the_box(place, draft, error):
    member = signed_in(place.member)

    response = member.post(chat_url(place), {"body": draft, "client_msg_id": str(uuid.uuid4())})

    assert response.status_code == 200
    assert error in page_text(response)
    assert draft_body(response.content.decode()) == draft
    assert not ChatMessage.objects.exists()
    assert room_of(place).last_seq == 0


def test_slow_mode_refuses_a_quick_second_message_and_keeps_it_in_the_box(place):
    chat_services.room_update(acting_user=place.leader, room=room_of(place),
                              slow_mode_seconds=120, locked=False)  # fmt: skip
    member = signed_in(place.member)
    member.post(chat_url(place), {"body": "First.", "client_msg_id": str(uuid.uuid4())})

    response = member.post(chat_url(place), {"body": "Second, too soon.",
                                              "client_msg_id": str(uuid.uuid4())})  # fmt: skip

    assert response.status_code == 200
    assert "Slow mode is on" in page_text(response)
    assert draft_body(response.content.decode()) == "Second, too soon."
    assert list(ChatMessage.objects.values_list("body", flat=True)) == ["First."]
    assert "Slow mode: one message every 120 seconds." in page_text(response)


def test_a_bad_client_msg_id_is_refused_and_keeps_the_draft(place):
    member = signed_in(place.member)

    response = member.post(chat_url(place), {"body": "Hello.", "client_msg_id": "not-an-id"})

    assert response.status_code == 200
    assert draft_body(response.content.decode()) == "Hello."
    assert not ChatMessage.objects.exists()


def test_a_muted_member_sees_why_and_cannot_send_by_form(place):
    muted = signed_in(place.muted)

    page = muted.get(chat_url(place)).content.decode()
    assert '<form id="composer"' not in page
    assert "muted" in html.unescape(page)

    response = muted.post(chat_url(place), {"body": "Let me talk.",
                                            "client_msg_id": str(uuid.uuid4())})  # fmt: skip
    assert response.status_code == 200
    assert "muted you" in page_text(response)
    assert not ChatMessage.objects.exists()


def test_a_paused_chat_refuses_members_forms_but_not_leaders(place):
    chat_services.room_update(acting_user=place.leader, room=room_of(place),
                              slow_mode_seconds=0, locked=True)  # fmt: skip

    member_page = signed_in(place.member).post(
        chat_url(place), {"body": "Hello?", "client_msg_id": str(uuid.uuid4())}
    )
    assert member_page.status_code == 200
    assert "paused" in page_text(member_page)
    assert not ChatMessage.objects.exists()

    leader_post = signed_in(place.leader).post(
        chat_url(place), {"body": "Back in ten minutes.", "client_msg_id": str(uuid.uuid4())}
    )
    assert leader_post.status_code == 302
    assert ChatMessage.objects.get().author == place.leader


def test_a_leader_deletes_and_a_member_reports_without_javascript(place):
    room = room_of(place)
    message = add_message(room, place.member, "Who's selling near the station?")

    report = signed_in(place.other).post(
        reverse("chat:message_report", args=[place.group.slug, message.pk]),
        {"reason": "sourcing", "note": ""},
    )
    assert report.status_code == 302
    item = ReviewItem.objects.get(target_key=f"chat:{message.pk}", kind=ReviewItem.Kind.REPORT)
    assert item.group == place.group

    denied = signed_in(place.member).post(
        reverse("chat:message_delete", args=[place.group.slug, message.pk])
    )
    assert denied.status_code == 403
    deleted = signed_in(place.leader).post(
        reverse("chat:message_delete", args=[place.group.slug, message.pk])
    )
    assert deleted.status_code == 302
    message.refresh_from_db()
    assert message.state == ChatMessage.State.DELETED
