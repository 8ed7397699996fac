"""The one socket every signed-in page opens: it keeps the bell's count right and
brings new notifications as they happen, urgent queue items for leaders included. It
only listens; the count comes from the same function the header uses on page load."""

from accounts.models import User
from forum import selectors
from groups.sockets import (
    UNAUTHENTICATED,
    SocketConsumer,
    bell_channel,
    close_if_session_ended,
    database_sync_to_async,
    user_channel,
)


class BellConsumer(SocketConsumer):
    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        await self.join(bell_channel(user.pk))
        await self.join(user_channel(user.pk))  # access changes and logouts
        await self.accept()
        await self.send_json(await self._bell(None))  # anything since the page loaded

    async def receive_json(self, content, **kwargs):
        await self.send_json({"type": "error", "message": "This socket only listens."})

    async def notification_new(self, event):
        await self.send_json(await self._bell(event.get("id")))

    async def notification_read(self, event):
        # Read on another page (one opened, or all marked read): the count follows.
        await self.send_json(await self._bell(None))

    async def access_changed(self, event):
        # Leaving or losing a group can hide notifications: the count follows.
        await self.send_json(await self._bell(None))

    async def session_ended(self, event):
        await close_if_session_ended(self, event)

    @database_sync_to_async
    def _bell(self, notification_id) -> dict:
        # Fresh each time: the user the socket opened with carries what was true then
        # (peersupport/auth.py loads a raw unread count and the memberships with it).
        user = User.objects.get(pk=self.scope["user"].pk)
        frame = {"type": "bell", "count": selectors.unread_notification_count(user)}
        if notification_id is not None:
            note = selectors.notification_for(user, notification_id)
            if note is not None:
                frame["item"] = {"message": note.message, "link": note.link,
                                 "urgent": note.is_urgent, "detail": note.detail}  # fmt: skip
        return frame
