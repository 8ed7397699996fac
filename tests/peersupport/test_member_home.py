"""A signed-in member's home: their groups with what is new, threads they wrote in with
new replies, what waits for a leader (in kind words), what happened to them, and a
first sign-in welcome; its cost does not grow with the member's data."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from forum.models import Post
from groups.models import Group, Topic
from groups.services import memberships, sanctions
from tests.factories import (
    PASSWORD,
    Community,
    add_member,
    make_group,
    membership_of,
    person,
    signed_in,
)

pytestmark = pytest.mark.django_db


def home_of(user) -> str:
    response = signed_in(user).get(reverse("home"))
    assert response.status_code == 200
    return response.text


def welcomed(user):
    User.objects.filter(pk=user.pk).update(onboarded_at=timezone.now())
    user.onboarded_at = timezone.now()
    return user


def test_signed_out_visitors_still_see_what_this_place_is():
    page = Client().get(reverse("home")).text
    assert "You don't have to do this alone" in page


def test_a_member_lands_on_their_home_with_groups_new_replies_and_what_happened():
    world = Community()
    welcomed(world.member)
    thread = world.start(world.member, title="Cravings at night")
    world.reply(thread, world.other, "I hear you.")
    world.reply(thread, world.leader, "Same here.")

    page = home_of(world.member)

    assert "Welcome back" in page
    assert world.group.name in page
    assert "1 thread with new posts" in page
    assert "Cravings at night" in page
    assert "2 new posts" in page  # their own post is not new to them
    assert "replied to your thread “Cravings at night”" in page


def test_signing_in_lands_on_the_members_home(client):
    member = welcomed(person("Returning Lark"))
    response = client.post(reverse("account_login"),
                           {"login": member.email, "password": PASSWORD})  # fmt: skip
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert "Your groups" in client.get(response.url).text


def test_waiting_requests_and_held_posts_are_shown_kindly_not_as_errors():
    world = Community()
    asker = welcomed(world.newcomer)
    elsewhere = make_group(name="Evening Calm")
    Group.objects.filter(pk=elsewhere.pk).update(join_policy=Group.JoinPolicy.REQUEST)
    elsewhere.refresh_from_db()
    memberships.membership_request(acting_user=asker, group=elsewhere, accepted_rules=True,
                                   message="")  # fmt: skip
    thread = world.start(world.member, title="Small wins")
    held = world.reply(thread, asker, "My first post.")
    assert held.state == Post.State.HELD

    page = home_of(asker)

    assert "Waiting for a peer leader" in page
    assert (
        "Your request to join Evening Calm is waiting. A peer leader will look at it soon." in page
    )
    assert "Your post in “Small wins” is waiting. A peer leader will look at it soon" in page
    assert "error" not in page.split("Waiting for a peer leader")[1].split("</section>")[0]


def test_a_member_without_groups_is_invited_to_find_one_by_topic():
    Topic.objects.get_or_create(slug="anxiety", defaults={"name": "Anxiety"})
    page = home_of(welcomed(person("New Swallow")))
    assert "You haven't joined a group yet" in page
    assert f'href="{reverse("groups:directory")}?topic=anxiety"' in page


def test_a_banned_members_home_no_longer_shows_the_hidden_groups_threads():
    world = Community(visibility=Group.Visibility.HIDDEN)
    welcomed(world.member)
    thread = world.start(world.member, title="Secret struggles")
    world.reply(thread, world.other, "Sending strength.")
    sanctions.sanction_ban(acting_user=world.leader,
                           membership=membership_of(world.group, world.member),
                           reason="For everyone's safety.")  # fmt: skip
    page = home_of(world.member)
    assert "Secret struggles" not in page
    assert "You are no longer a member of" in page


def test_the_first_sign_in_welcome_saves_the_browsers_time_zone_and_goes_away():
    member = person("First Timer")
    client = signed_in(member)
    page = client.get(reverse("home")).text
    assert "Your first posts in a group wait for a peer leader" in page
    assert "welcome.js" in page  # suggests the browser's time zone

    response = client.post(reverse("welcome"), {"time_zone": "Europe/Lisbon"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.time_zone == "Europe/Lisbon"
    assert member.onboarded_at is not None
    assert "A few things before you start" not in client.get(reverse("home")).text


def test_a_wrong_time_zone_gets_a_clear_error_and_an_error_title():
    client = signed_in(person("First Timer"))
    response = client.post(reverse("welcome"), {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "<title>Error: Your home" in response.text
    assert "Please choose your time zone from the list." in response.text
    assert 'href="#id_time_zone"' in response.text


def test_the_welcome_can_be_skipped():
    member = person("In A Hurry")
    signed_in(member).post(reverse("welcome"), {"skip": "1"})
    member.refresh_from_db()
    assert (member.onboarded_at is not None, member.time_zone) == (True, "UTC")


def chat_in(world, author, body, limit_counted=False):
    from chat import services as chat_services

    room = chat_services.room_for(world.group)
    chat_services.chat_message_send(acting_user=author, room=room, body=body,
                                    client_msg_id=str(uuid.uuid4()), ring=False,
                                    limit_counted=limit_counted)  # fmt: skip
    return room


def test_the_home_counts_new_chat_since_the_members_last_visit_to_the_room(settings):
    world = Community()
    welcomed(world.member)
    for body in ("Hello all.", "Anyone around tonight?"):
        chat_in(world, world.other, body)
    chat_in(world, world.member, "I am.")  # their own message is never new to them
    assert "Chat: 2 new messages since your last visit" in home_of(world.member)

    client = signed_in(world.member)
    assert client.get(reverse("chat:room", args=[world.group.slug])).status_code == 200
    assert "Chat: 2 new" not in client.get(reverse("home")).text
    chat_in(world, world.leader, "Good to see you.")
    assert "Chat: 1 new message since your last visit" in client.get(reverse("home")).text
    # Reloading the room within a few minutes writes nothing (the mark may lag)...
    with CaptureQueriesContext(connection) as reload:
        client.get(reverse("chat:room", args=[world.group.slug]))
    assert not any(q["sql"].startswith("UPDATE") and "chatseen" in q["sql"]
                   for q in reload.captured_queries)  # fmt: skip
    # ...and leaving the room's socket marks all of it seen.
    from chat.services import chat_seen_at_leaving

    chat_seen_at_leaving(user=world.member, room_id=chat_in(world, world.owner, "Bye.").pk)
    page = client.get(reverse("home")).text
    assert "new message" not in page


def test_a_room_far_ahead_of_the_member_is_counted_to_a_bound():
    from peersupport import home

    world = Community()
    welcomed(world.member)
    for i in range(home.NEW_CHAT_AT_MOST + 3):
        chat_in(world, world.other, f"Message {i}.", limit_counted=True)  # not one by one
    page = home_of(world.member)
    assert f"Chat: {home.NEW_CHAT_AT_MOST}+ new messages since your last visit" in page


def build(member, groups: int, threads_each: int):
    for g in range(groups):
        world = Community()
        add_member(world.group, member, approved_post_count=10)
        chat_in(world, world.other, "Hello.")
        for t in range(threads_each):
            thread = world.start(world.owner, title=f"Thread {g}-{t}")
            world.reply(thread, member, "Me too.")
            world.reply(thread, world.other, "A reply.")


def test_the_home_costs_the_same_queries_for_a_little_or_a_lot_of_activity():
    member = welcomed(person("Busy Bee"))
    build(member, groups=1, threads_each=1)
    client = signed_in(member)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    build(member, groups=4, threads_each=1)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("home")).text
    assert page.count("1 thread with new posts") == 5
    assert page.count("Chat: 1 new message since your last visit") == 5
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
