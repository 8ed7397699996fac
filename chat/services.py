"""Live group chat: every message is saved (with its room sequence number) before it is
broadcast. The channel layer is only a doorbell: a client that misses a broadcast
catches up from Postgres by sequence number."""

import datetime
import json
import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import selectors
from chat.models import MESSAGE_MAX_LENGTH, ChatMessage, ChatRoom, ChatSeen
from groups import limits, permissions
from groups.markdown import render_chat_text
from groups.models import Group, ModerationLogEntry, Target
from groups.models.queue import target_key
from groups.permissions import Capability
from groups.services import screening
from groups.services.audit import log_action
from groups.services.reports import report_file
from groups.sockets import ring_from_sync
from groups.text import hidden_characters_in

logger = logging.getLogger(__name__)
Action = ModerationLogEntry.Action


def room_channel(room_id: int) -> str:
    return f"chat.room.{room_id}"


def room_for(group: Group, kind: str = ChatRoom.Kind.MEMBERS) -> ChatRoom:
    room, _created = ChatRoom.objects.get_or_create(group=group, kind=kind)
    return room


def payload(message: ChatMessage) -> dict:
    """What clients receive for a message: its text, and the same as HTML with its
    links, sanitized, which the browser inserts as it is (groups.markdown)."""
    deleted = message.state == ChatMessage.State.DELETED
    body = "" if deleted else message.body
    return {
        "id": message.pk,
        "seq": message.seq,
        "author": message.author.public_name,
        "body": body,
        "html": str(render_chat_text(body)),
        "deleted": deleted,
        "created_at": message.created_at.isoformat(),
        "client_msg_id": str(message.client_msg_id),
        "notice": message.is_notice,
    }


def message_event(message: dict) -> dict:
    """The ring for one message (a payload): the frame every socket sends, encoded once
    here rather than once per socket, so a room of 500 costs one encoding, not 500."""
    return {"type": "chat.message", "frame": json.dumps({"type": "message", "message": message})}


def broadcast(room_id: int, event: dict) -> None:
    """Ring the room after commit. If the channel layer is down, the message is still
    saved; clients catch up when they reconnect."""

    def ring():
        try:
            ring_from_sync(room_channel(room_id), event)
        except Exception:
            logger.warning("chat broadcast failed; clients will catch up", exc_info=True)

    transaction.on_commit(ring)


def _clean_body(body) -> str:
    if not isinstance(body, str):
        raise ValidationError(_("A message must be text."), code="invalid")
    if hidden_characters_in(body):
        raise ValidationError(
            _("Your message contains hidden control characters. Please remove them and send "
              "again."),
            code="hidden_characters",
        )  # fmt: skip
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: not text anyone can read or store
        raise ValidationError(_("Your message contains characters we can't store."),
                              code="invalid") from None  # fmt: skip
    body = body.strip()
    if not body:
        raise ValidationError(_("Please write a message before sending."), code="required")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise message_too_long(len(body))
    return body


def message_too_long(length: int) -> ValidationError:
    """The refusal of a message of `length` characters (over MESSAGE_MAX_LENGTH)."""
    return ValidationError(
        _("Messages can be %(max)s characters at most; yours has %(n)s. It's still in the "
          "box, so you can shorten it or split it.")
        % {"max": f"{MESSAGE_MAX_LENGTH:,}", "n": f"{length:,}"},
        code="max_length",
    )  # fmt: skip


def _check_slow_mode(user, room: ChatRoom, now) -> None:
    until = selectors.slow_mode_until(user, room, now=now)
    if until is not None:
        wait = int((until - now).total_seconds()) + 1
        raise ValidationError(
            _("Slow mode is on: you can send again in %(n)d seconds. Your message is still "
              "in the box.") % {"n": wait},
            code="slow_mode",
            params={"retry_after": wait},
        )  # fmt: skip


def _take_seq(room: ChatRoom) -> int:
    """The room's next sequence number, in one statement that also locks the room's row
    until the transaction ends, so numbers commit in order. `room` gets the row's
    current lock and slow mode, read under that lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE peergroups_chatroom SET last_seq = last_seq + 1 WHERE id = %s "
            "RETURNING last_seq, locked_at, slow_mode_seconds",
            [room.pk],
        )
        room.last_seq, room.locked_at, room.slow_mode_seconds = cursor.fetchone()
    return room.last_seq


def _locked_room(room: ChatRoom) -> ChatRoom:
    return ChatRoom.objects.select_for_update(of=("self",)).select_related("group").get(pk=room.pk)


def message_key(message: ChatMessage) -> str:
    return target_key(Target.CHAT, message.pk)


def chat_message_send(
    *, acting_user, room: ChatRoom, body, client_msg_id, ring: bool = True,
    limit_counted: bool = False,
) -> tuple[ChatMessage, bool]:  # fmt: skip
    """Save a message and ring the room (after commit; a caller on the event loop may
    ring it itself, ring=False). A retry with the same client_msg_id returns the
    original message (created=False) and never makes a second one. A new message is
    counted against the member's send limit, unless the caller already counted it
    (limit_counted: the socket asks Redis on its event loop, not in this thread)."""
    try:
        client_msg_id = uuid.UUID(str(client_msg_id))
    except ValueError:
        raise ValidationError(_("The message id is not valid."), code="invalid") from None
    if not limit_counted:
        # Never charged for a retry: look for it before counting the send. (The socket
        # looked for it itself before asking the limit.)
        existing = ChatMessage.objects.filter(
            author=acting_user, client_msg_id=client_msg_id
        ).first()
        if existing is not None:
            if existing.room_id != room.pk:
                raise ValidationError(_("The message id is already used."), code="invalid")
            return existing, False
        limits.take(limits.CHAT_SEND, acting_user.pk, _(
            "You're sending very quickly. Please wait a moment and send again."
        ))  # fmt: skip
    try:
        return _save_new_message(acting_user, room, body, client_msg_id, ring=ring), True
    except (IntegrityError, ValidationError, PermissionDenied, Http404):
        # A retry (or two sends with one client id that raced) is the message saved
        # first, whatever has changed since (slow mode, a pause). Looked for only when
        # the save fails, so a new message costs no extra query.
        existing = ChatMessage.objects.filter(
            author=acting_user, client_msg_id=client_msg_id
        ).first()
        if existing is None:
            raise
        if existing.room_id != room.pk:
            raise ValidationError(_("The message id is already used."), code="invalid") from None
        return existing, False


def _save_new_message(acting_user, room: ChatRoom, body, client_msg_id, *, ring) -> ChatMessage:
    # Everything that needs no lock is done before taking it: under a burst, every
    # sender of the room waits for the row lock, so it is held for three statements only.
    room = selectors.room(room.pk)
    permissions.check_can_send_in_room(acting_user, room)
    body = _clean_body(body)
    group = room.group
    is_leader = permissions.can(acting_user, Capability.MODERATE, group)
    verdict = screening.check_text(body, group=group, is_leader=is_leader, is_new_member=False)
    if verdict.block_message:
        raise ValidationError(verdict.block_message, code="blocked")
    with transaction.atomic():
        was_locked = room.is_locked
        seq = _take_seq(room)
        if room.is_locked != was_locked:  # paused (or resumed) meanwhile: ask again
            permissions.check_can_send_in_room(acting_user, room)
        now = timezone.now()
        # Under the lock: two quick sends of one member can't both slip past slow mode.
        _check_slow_mode(acting_user, room, now)
        message = ChatMessage.objects.create(
            room=room, seq=seq, author=acting_user, client_msg_id=client_msg_id, body=body,
            created_at=now,
        )  # fmt: skip
        # Chat is live, so nothing is held back; what screening would hold is flagged instead.
        key = message_key(message)
        screening.flag_for_review(group=group, target_key=key, subject=acting_user,
                                  reasons=verdict.hold_reasons + verdict.flag_reasons,
                                  snapshot=body)  # fmt: skip
        screening.flag_if_crisis(author=acting_user, group=group, text=body, target_key=key)
        if ring:
            broadcast(room.pk, message_event(payload(message)))
    return message


@transaction.atomic
def chat_notice_post(*, room: ChatRoom, author, body: str) -> ChatMessage:
    """A notice from the platform in a room (a member asking for support), not chat:
    numbered like any message, so no client misses it."""
    notice = ChatMessage.objects.create(
        room=room, seq=_take_seq(room), author=author, client_msg_id=uuid.uuid4(),
        is_notice=True, body=body,
    )  # fmt: skip
    broadcast(room.pk, message_event(payload(notice)))
    return notice


@transaction.atomic
def chat_message_delete(*, acting_user, message: ChatMessage, reason: str = "") -> ChatMessage:
    message = (
        ChatMessage.objects.select_for_update(of=("self",))
        .select_related("room__group", "author")
        .get(pk=message.pk)
    )
    permissions.check(acting_user, Capability.MODERATE, message.room.group)
    if message.state != ChatMessage.State.DELETED:
        message.state = ChatMessage.State.DELETED
        message.deleted_at = timezone.now()
        message.deleted_reason = reason
        message.save(update_fields=["state", "deleted_at", "deleted_reason"])
        log_action(actor=acting_user, action=Action.CHAT_MESSAGE_DELETED,
                   group=message.room.group, target_user=message.author, reason=reason,
                   message=message.pk)  # fmt: skip
        broadcast(message.room_id, message_event(payload(message)))
    return message


def chat_message_report(*, acting_user, message: ChatMessage, reason: str, note: str = ""):
    message = ChatMessage.objects.select_related("room__group", "author").get(pk=message.pk)
    permissions.check_can_read_room(acting_user, message.room)
    if message.author_id == acting_user.pk:
        raise ValidationError(_("You can't report your own message."), code="own")
    return report_file(
        acting_user=acting_user, group=message.room.group, target_key=message_key(message),
        subject=message.author, reason=reason, note=note, snapshot=message.body,
        already_reported=_("You've already reported this message. Thank you: the leaders "
                           "have it."),
    )  # fmt: skip


@transaction.atomic
def room_update(*, acting_user, room: ChatRoom, slow_mode_seconds: int, locked: bool) -> ChatRoom:
    room = _locked_room(room)
    permissions.check(acting_user, Capability.MODERATE, room.group)
    if not 0 <= slow_mode_seconds <= 3600:
        raise ValidationError(_("Slow mode can be between 0 and 3,600 seconds."))
    if room.slow_mode_seconds != slow_mode_seconds:
        room.slow_mode_seconds = slow_mode_seconds
        log_action(actor=acting_user, action=Action.CHAT_SLOW_MODE, group=room.group,
                   seconds=slow_mode_seconds)  # fmt: skip
    if room.is_locked != locked:
        room.locked_at = timezone.now() if locked else None
        log_action(actor=acting_user, group=room.group,
                   action=Action.CHAT_LOCKED if locked else Action.CHAT_UNLOCKED)  # fmt: skip
    room.save(update_fields=["slow_mode_seconds", "locked_at"])
    broadcast(room.pk, {"type": "room.state", "slow_mode_seconds": room.slow_mode_seconds,
                        "locked": room.is_locked})  # fmt: skip
    return room


SEEN_EVERY = datetime.timedelta(minutes=3)


def chat_seen_advance(*, user, room: ChatRoom, seq: int, throttle: bool = True) -> None:
    """Move the member's last-seen mark in the room forward (never back) to `seq`. A
    first visit writes it; after that, with throttle, at most every SEEN_EVERY (a
    member reloading a busy room writes once in a few minutes, not at every message)."""
    if not user.is_authenticated or seq <= 0:
        return
    now = timezone.now()
    seen, created = ChatSeen.objects.get_or_create(
        user=user, room=room, defaults={"last_seen_seq": seq, "moved_at": now}
    )
    if created or seq <= seen.last_seen_seq:
        return
    if throttle and now - seen.moved_at < SEEN_EVERY:
        return
    ChatSeen.objects.filter(pk=seen.pk, last_seen_seq__lt=seq).update(
        last_seen_seq=seq, moved_at=now
    )


def chat_seen_at_leaving(*, user, room_id: int) -> None:
    """The member leaves the room's page (its socket closes): they saw all of it."""
    room = ChatRoom.objects.filter(pk=room_id).only("pk", "last_seq").first()
    if room is not None:
        chat_seen_advance(user=user, room=room, seq=room.last_seq, throttle=False)
