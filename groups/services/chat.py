"""Live group chat: every message is saved (with its room sequence number) before it is
broadcast. The channel layer is only a doorbell: a client that misses a broadcast
catches up from Postgres by sequence number."""

import datetime
import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import automod, permissions
from groups.models import ChatMessage, ChatRoom, Group, ModerationLogEntry, Report, ReviewItem
from groups.models.chat import MESSAGE_MAX_LENGTH
from groups.permissions import Capability
from groups.services import moderation as queue
from groups.services.audit import log_action
from groups.text import hidden_characters_in

logger = logging.getLogger(__name__)
Action = ModerationLogEntry.Action
BACKFILL_LIMIT = 200


def room_channel(room_id: int) -> str:
    return f"chat.room.{room_id}"


def room_for(group: Group, kind: str = ChatRoom.Kind.MEMBERS) -> ChatRoom:
    room, _created = ChatRoom.objects.get_or_create(group=group, kind=kind)
    return room


def payload(message: ChatMessage) -> dict:
    """What clients receive for a message. Plain text; the page escapes it."""
    deleted = message.state == ChatMessage.State.DELETED
    return {
        "id": message.pk,
        "seq": message.seq,
        "author": message.author.public_name,
        "body": "" if deleted else message.body,
        "deleted": deleted,
        "created_at": message.created_at.isoformat(),
        "client_msg_id": str(message.client_msg_id),
        "notice": message.is_notice,
    }


def broadcast(room_id: int, event: dict) -> None:
    """Ring the room after commit. If the channel layer is down, the message is still
    saved; clients catch up when they reconnect."""

    def ring():
        layer = get_channel_layer()
        try:
            async_to_sync(layer.group_send)(room_channel(room_id), event)
        except Exception:
            logger.warning("chat broadcast failed; clients will catch up", exc_info=True)

    transaction.on_commit(ring)


def check_can_read(user, room: ChatRoom) -> None:
    if not user.is_active:
        raise PermissionDenied(_("This account is no longer active."))
    group = room.group
    permissions.check(user, Capability.READ, group)
    if room.kind == ChatRoom.Kind.LEADERS:
        permissions.check(user, Capability.MODERATE, group)
    elif not (permissions.can(user, Capability.SEE_MEMBERS, group)):
        # Chat is a members' room even in a public group.
        raise PermissionDenied(_("Only members of this group can join its chat."))


def can_read(user, room: ChatRoom) -> bool:
    try:
        check_can_read(user, room)
    except (PermissionDenied, Http404):
        return False
    return True


def check_can_send(user, room: ChatRoom) -> None:
    check_can_read(user, room)
    group = room.group
    permissions.check(user, Capability.CHAT, group)
    is_leader = permissions.can(user, Capability.MODERATE, group)
    if room.is_locked and not is_leader:
        raise PermissionDenied(_("A peer leader has paused this chat. You can still read."))


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
        raise ValidationError(
            _("Messages can be %(max)s characters at most; yours has %(n)s. It's still in the "
              "box, so you can shorten it or split it.")
            % {"max": f"{MESSAGE_MAX_LENGTH:,}", "n": f"{len(body):,}"},
            code="max_length",
        )  # fmt: skip
    return body


def _check_slow_mode(user, room: ChatRoom, now) -> None:
    if not room.slow_mode_seconds or permissions.can(user, Capability.MODERATE, room.group):
        return
    last = (
        ChatMessage.objects.filter(room=room, author=user).order_by("-seq")
        .values_list("created_at", flat=True).first()
    )  # fmt: skip
    if last is None:
        return
    wait = room.slow_mode_seconds - (now - last).total_seconds()
    if wait > 0:
        raise ValidationError(
            _("Slow mode is on: you can send again in %(n)d seconds. Your message is still "
              "in the box.") % {"n": int(wait) + 1},
            code="slow_mode",
            params={"retry_after": int(wait) + 1},
        )  # fmt: skip


def chat_message_send(
    *, acting_user, room: ChatRoom, body, client_msg_id, ring: bool = True
) -> tuple[ChatMessage, bool]:
    """Save a message and ring the room (after commit; a caller on the event loop may
    ring it itself, ring=False). A retry with the same client_msg_id returns the
    original message (created=False) and never makes a second one."""
    try:
        client_msg_id = uuid.UUID(str(client_msg_id))
    except ValueError:
        raise ValidationError(_("The message id is not valid."), code="invalid") from None
    existing = ChatMessage.objects.filter(author=acting_user, client_msg_id=client_msg_id).first()
    if existing is not None:
        # A retry: the same message, whatever has changed since (slow mode, a pause).
        if existing.room_id != room.pk:
            raise ValidationError(_("The message id is already used."), code="invalid")
        return existing, False
    try:
        return _save_new_message(acting_user, room, body, client_msg_id, ring=ring), True
    except IntegrityError:
        # Two sends with one client id raced: the one saved first is the message.
        existing = ChatMessage.objects.filter(
            author=acting_user, client_msg_id=client_msg_id
        ).first()
        if existing is None:
            raise
        if existing.room_id != room.pk:
            raise ValidationError(_("The message id is already used."), code="invalid") from None
        return existing, False


@transaction.atomic
def _save_new_message(acting_user, room: ChatRoom, body, client_msg_id, *, ring) -> ChatMessage:
    room = ChatRoom.objects.select_for_update(of=("self",)).select_related("group").get(pk=room.pk)
    check_can_send(acting_user, room)
    body = _clean_body(body)
    now = timezone.now()
    _check_slow_mode(acting_user, room, now)
    group = room.group
    is_leader = permissions.can(acting_user, Capability.MODERATE, group)
    verdict = automod.check_text(body, group=group, is_leader=is_leader, is_new_member=False)
    if verdict.block_message:
        raise ValidationError(verdict.block_message, code="blocked")
    room.last_seq += 1
    room.save(update_fields=["last_seq"])
    message = ChatMessage.objects.create(
        room=room, seq=room.last_seq, author=acting_user, client_msg_id=client_msg_id,
        body=body, created_at=now,
    )  # fmt: skip
    from groups.services import support

    # Chat is live, so nothing is held back; what automod would hold is flagged instead.
    reasons = verdict.hold_reasons + verdict.flag_reasons
    if reasons:
        queue.open_item(
            kind=ReviewItem.Kind.AUTO_FLAG, target_key=f"chat:{message.pk}", group=group,
            chat_message=message, subject=acting_user, reason="; ".join(reasons),
            snapshot=body,
        )  # fmt: skip
    support.flag_if_crisis(author=acting_user, group=group, text=body,
                           target_key=f"chat:{message.pk}", chat_message=message)  # fmt: skip
    if ring:
        broadcast(room.pk, {"type": "chat.message", "message": payload(message)})
    return message


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
        broadcast(message.room_id, {"type": "chat.message", "message": payload(message)})
    return message


@transaction.atomic
def chat_message_report(*, acting_user, message: ChatMessage, reason: str, note: str = ""):
    message = ChatMessage.objects.select_related("room__group", "author").get(pk=message.pk)
    group = message.room.group
    check_can_read(acting_user, message.room)
    permissions.check(acting_user, Capability.REPORT, group)
    if reason not in Report.Reason.values:
        raise ValidationError(_("Please choose a reason."), code="invalid")
    if message.author_id == acting_user.pk:
        raise ValidationError(_("You can't report your own message."), code="own")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                group=group, chat_message=message, reporter=acting_user, reason=reason, note=note
            )
    except IntegrityError:
        raise ValidationError(
            _("You've already reported this message. Thank you: the leaders have it."),
            code="already_reported",
        ) from None
    report.review_item = queue.open_item(
        kind=ReviewItem.Kind.REPORT, target_key=f"chat:{message.pk}", group=group,
        urgent=reason == Report.Reason.RISK, reason=reason, actor=acting_user,
        chat_message=message, subject=message.author, snapshot=message.body,
    )  # fmt: skip
    report.save(update_fields=["review_item"])
    return report


@transaction.atomic
def room_update(*, acting_user, room: ChatRoom, slow_mode_seconds: int, locked: bool) -> ChatRoom:
    room = ChatRoom.objects.select_for_update(of=("self",)).select_related("group").get(pk=room.pk)
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


def slow_mode_until(user, room: ChatRoom):
    if not room.slow_mode_seconds or permissions.can(user, Capability.MODERATE, room.group):
        return None
    last = (
        ChatMessage.objects.filter(room=room, author=user).order_by("-seq")
        .values_list("created_at", flat=True).first()
    )  # fmt: skip
    if last is None:
        return None
    until = last + datetime.timedelta(seconds=room.slow_mode_seconds)
    return until if until > timezone.now() else None
