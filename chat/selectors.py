"""Reads of chat rooms and messages."""

import datetime
import uuid

from django.utils import timezone

from chat.models import ChatMessage, ChatRoom
from groups import permissions

BACKFILL_LIMIT = 200


def messages_after(room: ChatRoom, after_seq: int, limit: int = BACKFILL_LIMIT):
    """Messages the client missed, oldest first, and whether there were more."""
    rows = list(
        ChatMessage.objects.filter(room=room, seq__gt=after_seq).select_related("author")
        .order_by("seq")[: limit + 1]
    )  # fmt: skip
    return rows[:limit], len(rows) > limit


def latest_messages(room: ChatRoom, *, before_seq: int | None = None, limit: int = 50):
    rows = ChatMessage.objects.filter(room=room).select_related("author")
    if before_seq is not None:
        rows = rows.filter(seq__lt=before_seq)
    rows = list(rows.order_by("-seq")[: limit + 1])
    has_earlier = len(rows) > limit
    return list(reversed(rows[:limit])), has_earlier


def slow_mode_until(user, room: ChatRoom, *, now=None):
    """When slow mode lets the member send again, or None when they may send now."""
    if not room.slow_mode_seconds or permissions.is_exempt_from_slow_mode(user, room):
        return None
    last = (
        ChatMessage.objects.filter(room=room, author=user).order_by("-seq")
        .values_list("created_at", flat=True).first()
    )  # fmt: skip
    if last is None:
        return None
    until = last + datetime.timedelta(seconds=room.slow_mode_seconds)
    return until if until > (now or timezone.now()) else None


def message_in(group, pk: int) -> ChatMessage | None:
    return (
        ChatMessage.objects.select_related("room__group", "author")
        .filter(pk=pk, room__group=group)
        .first()
    )


def sent_message(author, room: ChatRoom, client_msg_id: str) -> ChatMessage | None:
    """The message `author` already sent in `room` with this client id, if any."""
    try:
        client_msg_id = uuid.UUID(client_msg_id)
    except ValueError:
        return None
    return (
        ChatMessage.objects.select_related("author")
        .filter(author=author, room=room, client_msg_id=client_msg_id)
        .first()
    )


def room(pk: int) -> ChatRoom:
    return ChatRoom.objects.select_related("group").get(pk=pk)


def message_in_room(room: ChatRoom, pk: int) -> ChatMessage:
    """The message, or ChatMessage.DoesNotExist when it is not in this room."""
    return ChatMessage.objects.get(pk=pk, room=room.pk)
