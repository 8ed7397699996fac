"""The move to one app per domain keeps every row: a database filled on the schema the
first wave shipped (groups 0009, where the forum, chat and the queue all lived in the
groups app) is migrated forward, and everything is still there, read through today's
models in their new apps."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from chat.models import ChatMessage, ChatRoom
from forum.models import Post, PostRevision, Reaction, ReadState, Thread
from groups.models import (
    Group,
    Membership,
    ModerationLogEntry,
    Notification,
    Report,
    ReviewEvent,
    ReviewItem,
    Sanction,
)
from moderation.models import Appeal

FIRST_WAVE = [
    ("peergroups", "0009_support_and_notices"),
    ("accounts", "0004_presence_opt_in"),
    ("safety", "0002_seed_crisis_help"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def fill_first_wave(apps) -> dict:
    """Rows of every kind, made with the first wave's own models."""
    model = apps.get_model
    now = timezone.now()
    user = model("accounts", "User")
    owner = user.objects.create(email="owner@example.org", display_name="Owner One")
    member = user.objects.create(email="member@example.org", display_name="Member Two")
    reporter = user.objects.create(email="reporter@example.org", display_name="Reporter Three")
    group = model("peergroups", "Group").objects.create(
        name="Morning Light", slug="morning-light", short_description="A quiet group."
    )
    memberships = model("peergroups", "Membership")
    memberships.objects.create(user=owner, group=group, role="owner", state="active")
    membership = memberships.objects.create(
        user=member, group=group, muted_until=now + datetime.timedelta(hours=1)
    )
    memberships.objects.create(user=reporter, group=group)
    thread = model("peergroups", "Thread").objects.create(
        group=group, author=owner, title="Welcome", last_post_number=2, published_post_count=2
    )
    post = model("peergroups", "Post")
    first = post.objects.create(thread=thread, author=owner, number=1, body="Hello, all.")
    reply = post.objects.create(thread=thread, author=member, number=2, body="Glad to be here.")
    model("peergroups", "PostRevision").objects.create(post=reply, body="Glad.")
    model("peergroups", "Reaction").objects.create(post=first, user=member, kind="strength")
    model("peergroups", "ReadState").objects.create(user=member, thread=thread, last_read_number=2)
    model("peergroups", "Notification").objects.create(
        user=owner, kind="reply", actor=member, post=reply
    )
    room = model("peergroups", "ChatRoom").objects.create(group=group, last_seq=1)
    message = model("peergroups", "ChatMessage").objects.create(
        room=room, seq=1, author=member, body="Anyone around tonight?"
    )
    mute = model("peergroups", "Sanction").objects.create(
        user=member, group=group, kind="mute", reason="Cooling off.", created_by=owner,
        ends_at=membership.muted_until,
    )  # fmt: skip
    model("peergroups", "Appeal").objects.create(sanction=mute, message="I was upset.")
    items = model("peergroups", "ReviewItem")
    post_item = items.objects.create(
        kind="report", target_key=f"post:{reply.pk}", group=group, post=reply, subject=member
    )
    chat_item = items.objects.create(
        kind="report", target_key=f"chat:{message.pk}", group=group, chat_message=message,
        subject=member, urgency=0,
    )  # fmt: skip
    member_item = items.objects.create(
        kind="report", target_key=f"member:{member.pk}:group:{group.pk}", group=group,
        subject=member,
    )  # fmt: skip
    appeal_item = items.objects.create(
        kind="appeal", target_key=f"sanction:{mute.pk}", group=group, sanction=mute,
        subject=member,
    )  # fmt: skip
    model("peergroups", "ReviewEvent").objects.create(item=post_item, actor=reporter,
                                                      action="created")  # fmt: skip
    reports = model("peergroups", "Report")
    reports.objects.create(group=group, post=reply, reporter=reporter, reason="harassment",
                           review_item=post_item)  # fmt: skip
    reports.objects.create(group=group, chat_message=message, reporter=reporter, reason="risk",
                           review_item=chat_item)  # fmt: skip
    reports.objects.create(group=group, reported_user=member, reporter=reporter, reason="spam",
                           note="Pushy.", review_item=member_item)  # fmt: skip
    model("peergroups", "ModerationLogEntry").objects.create(
        actor=owner, action="member_muted", group=group, target_user=member, reason="Cooling off."
    )
    return {
        "owner": owner.pk, "member": member.pk, "reporter": reporter.pk, "group": group.pk,
        "reply": reply.pk, "message": message.pk, "mute": mute.pk, "appeal_item": appeal_item.pk,
        "post_item": post_item.pk, "chat_item": chat_item.pk, "member_item": member_item.pk,
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_every_row_of_the_first_wave_survives_the_move_to_apps_of_their_own():
    try:
        ids = fill_first_wave(migrate(FIRST_WAVE))
        migrate(latest())
    finally:
        migrate(latest())  # whatever happened, leave the database as the suite expects it
        ContentType.objects.clear_cache()

    group = Group.objects.get(pk=ids["group"])
    assert group.name == "Morning Light"
    assert Membership.objects.filter(group=group).count() == 3
    thread = Thread.objects.get(group=group)
    assert [p.body for p in Post.objects.filter(thread=thread).order_by("number")] == [
        "Hello, all.",
        "Glad to be here.",
    ]
    assert PostRevision.objects.get().body == "Glad."
    assert Reaction.objects.get().kind == "strength"
    assert ReadState.objects.get().last_read_number == 2
    # Moved again since: to the notifications of every kind, still pointing at the reply.
    note = Notification.objects.get()
    assert (note.kind, note.target_key, note.group) == ("reply", f"post:{ids['reply']}", group)
    assert note.link == f"/groups/{group.slug}/threads/{thread.pk}/?page=1#post-2"
    room = ChatRoom.objects.get(group=group)
    assert ChatMessage.objects.get(room=room).body == "Anyone around tonight?"
    mute = Sanction.objects.get(pk=ids["mute"])
    assert (mute.kind, mute.user_id) == ("mute", ids["member"])
    assert Appeal.objects.get(sanction=mute).message == "I was upset."
    assert ModerationLogEntry.objects.get(group=group).action == "member_muted"
    assert ReviewEvent.objects.get().item_id == ids["post_item"]

    # One target reference: review items keep their key, reports gain it and a subject.
    assert ReviewItem.objects.count() == 4
    appeal_item = ReviewItem.objects.get(pk=ids["appeal_item"])
    assert (appeal_item.target_key, appeal_item.recused_user_id) == (
        f"sanction:{ids['mute']}",
        ids["owner"],
    )
    reports = {r.reason: r for r in Report.objects.all()}
    assert (reports["harassment"].target_key, reports["harassment"].subject_id) == (
        f"post:{ids['reply']}",
        ids["member"],
    )
    assert (reports["risk"].target_key, reports["risk"].subject_id) == (
        f"chat:{ids['message']}",
        ids["member"],
    )
    assert (reports["spam"].target_key, reports["spam"].subject_id, reports["spam"].note) == (
        f"member:{ids['member']}:group:{ids['group']}",
        ids["member"],
        "Pushy.",
    )
    assert reports["risk"].review_item_id == ids["chat_item"]
    # Admin history and permissions follow the models to their apps.
    assert ContentType.objects.get_for_model(Post).app_label == "forum"
    assert ContentType.objects.get_for_model(ChatMessage).app_label == "chat"
