"""The chat socket. Authenticated and authorised before accept()."""

import json
import logging
import time
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from chat import selectors
from chat import services as chat
from chat.frames import MAX_FRAME_BYTES, frame_problem
from chat.models import MESSAGE_MAX_LENGTH, ChatMessage, ChatRoom
from groups import limits, permissions
from groups import selectors as group_selectors
from groups.sockets import (
    FORBIDDEN,
    UNAUTHENTICATED,
    UNAVAILABLE,
    SocketConsumer,
    close_if_session_ended,
    database_sync_to_async,
    unavailable_frame,
    user_channel,
)

logger = logging.getLogger(__name__)


class ChatConsumer(SocketConsumer):
    """One group's chat room. Authenticated and authorised before accept(); every
    message re-checks membership and sanctions; messages are saved, then acknowledged,
    then broadcast; a reconnecting client asks for what it missed by sequence number.
    When Postgres or Redis fails, every frame still gets an answer (SocketConsumer)."""

    unavailable_message = _("Chat isn't available for a moment: we'll reconnect shortly.")

    TYPING_EVERY_SECONDS = 3.0

    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        kwargs = self.scope["url_route"]["kwargs"]
        self.room = await self._room(kwargs["slug"], kwargs.get("kind", ChatRoom.Kind.MEMBERS))
        if self.room is None:
            await self.close(code=FORBIDDEN)
            return
        self.last_typing = 0.0
        await self.join(chat.room_channel(self.room.pk))
        await self.join(user_channel(user.pk))
        await self.accept()
        await self.send_json(await self._state("hello"))
        if user.share_presence:
            self._group_event("chat.presence", {"author": user.public_name, "here": True})

    async def disconnect(self, code):
        room = getattr(self, "room", None)
        if room is None:
            return
        user = self.scope["user"]
        if user.share_presence:
            self._group_event("chat.presence", {"author": user.public_name, "here": False})
        try:
            await self._seen_at_leaving()
        except UNAVAILABLE:  # the home counts a little more as new: no harm
            logger.warning("could not note how far a member saw a room", exc_info=True)

    # Incoming frames

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if bytes_data is not None:
            await self._error("invalid", "Messages must be text.")
            return
        if len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
            # Answered, not closed: a close made the browser resend it forever (and
            # daphne can't send 1009 from an application: it closed with 1011).
            await self._frame_too_big(text_data)
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: absurdly nested frames
            await self._error("malformed", "That message wasn't valid JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self._error("malformed", "Each message needs a type.")
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        handler = {
            "send": self._on_send,
            "sync": self._on_sync,
            "typing": self._on_typing,
            "delete": self._on_delete,
            "report": self._on_report,
            "ping": self._on_ping,
        }.get(content["type"])
        if handler is None:
            await self._error("unknown_type", "I don't know that kind of message.")
            return
        # A send's error names its client id, so the browser keeps that draft.
        client_msg_id = content.get("client_msg_id")
        echo = client_msg_id if isinstance(client_msg_id, str) else None
        problem = frame_problem(content)
        if problem:
            await self._error("invalid", problem, echo)
            return
        try:
            await handler(content)
        except UNAVAILABLE:
            logger.warning("chat %s not handled: Postgres or Redis unavailable", content["type"],
                           exc_info=True)  # fmt: skip
            await self.send_json(unavailable_frame(self.UNAVAILABLE_ANSWERS.get(
                content["type"], self.unavailable_message), echo))  # fmt: skip

    UNAVAILABLE_ANSWERS: ClassVar[dict[str, str]] = {
        "send": _("Not sent yet: we'll retry in a moment."),
        "sync": _("Couldn't catch up yet: we'll try again in a moment."),
        "delete": _("Couldn't delete that yet. Please try again in a moment."),
        "report": _("Couldn't send your report yet. Please try again in a moment."),
    }

    async def _on_ping(self, content):
        await self.send_json({"type": "pong"})

    async def _on_send(self, content):
        client_msg_id, body = content["client_msg_id"], content["body"]
        user = self.scope["user"]
        # A retry of a message already saved is answered with its ack, before the
        # limit is asked: resending after a reconnect must never cost or refuse.
        message, created = await self._sent_before(client_msg_id), False
        if message is None:
            try:
                retry_after = await limits.await_wait(limits.CHAT_SEND, user.pk)
            except limits.StoreUnavailable:  # counted nowhere: not sent yet, kept, retried
                await self.send_json(unavailable_frame(self.UNAVAILABLE_ANSWERS["send"],
                                                       client_msg_id))  # fmt: skip
                return
            if retry_after:
                await self._error("rate_limited", _("You're sending very quickly. Your message "
                                                    "will go in a moment."),
                                  client_msg_id, retry_after=retry_after)  # fmt: skip
                return
            try:
                message, created = await self._save_message(body, client_msg_id)
            except ValidationError as error:
                retry = (
                    (error.params or {}).get("retry_after") if hasattr(error, "params") else None
                )
                await self._error(error.code or "invalid", " ".join(error.messages),
                                  client_msg_id, retry_after=retry)  # fmt: skip
                return
            except (PermissionDenied, Http404) as error:
                await self._error("forbidden", str(error) or _("You can't send here now."),
                                  client_msg_id)  # fmt: skip
                # Access may have gone without a notice reaching us: look again.
                await self.access_changed({})
                return
        await self.send_json({"type": "ack", "client_msg_id": client_msg_id, "id": message["id"],
                              "seq": message["seq"], "message": message})  # fmt: skip
        if created:
            # Rung after the ack, from here rather than from the database thread: the
            # sender never waits for Redis, and the thread is free sooner.
            self.ring(chat.room_channel(self.room.pk), chat.message_event(message))

    async def _frame_too_big(self, text_data):
        """A frame over MAX_FRAME_BYTES: a send's error names its client id (so the
        browser gives the text back instead of resending it); anything else is
        refused."""
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            content = None
        client_msg_id = content.get("client_msg_id") if isinstance(content, dict) else None
        if not isinstance(client_msg_id, str) or content.get("type") != "send":
            await self._error("too_big", _("That was too big to read."))
            return
        body = content.get("body")
        length = len(body.strip()) if isinstance(body, str) else 0
        if length > MESSAGE_MAX_LENGTH:
            error = chat.message_too_long(length)
            await self._error(error.code, " ".join(error.messages), client_msg_id)
            return
        await self._error("too_big", _("That message was too big to read. It's still in the "
                                       "box; please shorten it."), client_msg_id)  # fmt: skip

    async def _on_sync(self, content):
        result = await self._backfill(content.get("after", 0))
        if result is None:
            await self.close(code=FORBIDDEN)
            return
        messages, more = result
        if more:
            await self.send_json({"type": "reload", "reason": "You missed a lot: reloading."})
            return
        await self.send_json({"type": "backfill", "messages": messages})

    async def _on_typing(self, content):
        user = self.scope["user"]
        now = time.monotonic()
        if now - self.last_typing < self.TYPING_EVERY_SECONDS:
            return  # throttled, and never stored
        self.last_typing = now
        if not await self._shares_presence():  # off by default; re-read, it may change
            return
        self._group_event("chat.typing", {"author": user.public_name,
                                                "sender": self.channel_name})  # fmt: skip

    async def _on_delete(self, content):
        message_id = content["id"]
        try:
            await self._delete(message_id, content.get("reason") or "")
        except (PermissionDenied, Http404, ChatMessage.DoesNotExist):
            await self._error("forbidden", "Only peer leaders can delete messages here.")

    async def _on_report(self, content):
        message_id, reason = content["id"], content["reason"]
        try:
            await self._report(message_id, reason, (content.get("note") or "")[:1000])
        except ValidationError as error:
            await self._error(error.code or "invalid", " ".join(error.messages))
            return
        except (PermissionDenied, Http404, ChatMessage.DoesNotExist):
            await self._error("forbidden", "You can't report that message.")
            return
        thanks = "Thank you. The group's peer leaders will look at it."
        await self.send_json({"type": "reported", "id": message_id, "message": thanks})

    async def chat_message(self, event):
        # The frame was encoded once, when the room was rung: every socket sends the same text.
        await self.send(text_data=event["frame"])

    async def room_state(self, event):
        await self.send_json(await self._state("state"))

    async def chat_typing(self, event):
        if event["sender"] != self.channel_name:
            await self.send_json({"type": "typing", "author": event["author"]})

    async def chat_presence(self, event):
        await self.send_json({"type": "presence", "author": event["author"], "here": event["here"]})

    async def access_changed(self, event):
        """Check access again: leave the room if it is gone, else send the new state."""
        state = await self._state("state")
        if not state["can_read"]:
            await self.send_json({"type": "closed", "reason": state["reason"]})
            await self.close(code=FORBIDDEN)
            return
        await self.send_json(state)

    async def session_ended(self, event):
        await close_if_session_ended(self, event)

    # Helpers

    async def _error(self, code, message, client_msg_id=None, **extra):
        frame = {"type": "error", "code": code, "message": str(message)}
        if client_msg_id is not None:
            frame["client_msg_id"] = client_msg_id
        frame.update({key: value for key, value in extra.items() if value is not None})
        await self.send_json(frame)

    def _group_event(self, event_type, data):
        self.ring(chat.room_channel(self.room.pk), {"type": event_type, **data})

    def _fresh_user(self):
        user = self.scope["user"]
        user.refresh_from_db(fields=["is_active", "is_staff", "suspended_until", "share_presence"])
        permissions.forget_memberships(user)
        return user

    @database_sync_to_async
    def _seen_at_leaving(self):
        chat.chat_seen_at_leaving(user=self.scope["user"], room_id=self.room.pk)

    @database_sync_to_async
    def _shares_presence(self) -> bool:
        user = self._fresh_user()
        return user.is_active and user.share_presence

    @database_sync_to_async
    def _room(self, slug, kind):
        user = self._fresh_user()
        group = group_selectors.group_by_slug(slug)
        if group is None or kind not in ChatRoom.Kind.values or not user.is_active:
            return None
        room = chat.room_for(group, kind)
        room.group = group
        return room if permissions.can_read_room(user, room) else None

    @database_sync_to_async
    def _state(self, frame_type):
        user = self._fresh_user()
        room = selectors.room(self.room.pk)
        self.room = room
        can_read = user.is_active and permissions.can_read_room(user, room)
        reason = ""
        can_send = False
        if can_read:
            try:
                permissions.check_can_send_in_room(user, room)
                can_send = True
            except (PermissionDenied, Http404) as error:
                reason = str(error)
        else:
            reason = "You no longer have access to this chat."
        membership = permissions.membership_of(user, room.group)
        muted_until = membership.muted_until if membership and membership.is_muted else None
        slow_until = selectors.slow_mode_until(user, room) if can_send else None
        return {
            "type": frame_type, "room": room.pk, "last_seq": room.last_seq,
            "can_read": can_read, "can_send": can_send, "reason": reason,
            "muted_until": muted_until.isoformat() if muted_until else None,
            "slow_mode_seconds": room.slow_mode_seconds, "locked": room.is_locked,
            "slow_mode_until": slow_until.isoformat() if slow_until else None,
        }  # fmt: skip

    @database_sync_to_async
    def _sent_before(self, client_msg_id):
        message = selectors.sent_message(self.scope["user"], self.room, client_msg_id)
        return chat.payload(message) if message is not None else None

    @database_sync_to_async
    def _save_message(self, body, client_msg_id):
        user = self._fresh_user()
        message, created = chat.chat_message_send(
            acting_user=user, room=self.room, body=body, client_msg_id=client_msg_id, ring=False,
            limit_counted=True,
        )  # fmt: skip
        return chat.payload(message), created

    @database_sync_to_async
    def _backfill(self, after):
        user = self._fresh_user()
        room = selectors.room(self.room.pk)
        if not permissions.can_read_room(user, room):
            return None
        messages, more = selectors.messages_after(room, after)
        return [chat.payload(message) for message in messages], more

    @database_sync_to_async
    def _delete(self, message_id, reason):
        user = self._fresh_user()
        message = selectors.message_in_room(self.room, message_id)
        chat.chat_message_delete(acting_user=user, message=message, reason=reason[:1000])

    @database_sync_to_async
    def _report(self, message_id, reason, note):
        user = self._fresh_user()
        message = selectors.message_in_room(self.room, message_id)
        chat.chat_message_report(acting_user=user, message=message, reason=reason, note=note)
