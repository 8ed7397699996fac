"""The queue's doorbell socket: it rings a leader's open queue page when an item in
their groups changes. It only listens; decisions are made on the pages."""

from groups import permissions
from groups.services.queue import queue_channel_group
from groups.sockets import (
    FORBIDDEN,
    UNAUTHENTICATED,
    SocketConsumer,
    close_if_session_ended,
    database_sync_to_async,
    user_channel,
)


class ModerationQueueConsumer(SocketConsumer):
    """Rings a leader's open queue page when an item in their groups changes. When
    Postgres or Redis fails it answers as every socket does (SocketConsumer)."""

    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.channel_groups = await self._channel_groups(user)
        if not self.channel_groups:
            await self.close(code=FORBIDDEN)
            return
        for name in self.channel_groups:
            await self.join(name)
        await self.join(user_channel(user.pk))
        await self.accept()

    async def receive_json(self, content, **kwargs):
        # The page only listens; nothing it could send changes anything.
        await self.send_json({"type": "error", "message": "This socket only listens."})

    async def queue_changed(self, event):
        await self.send_json({"type": "queue.changed", "item": event["item"],
                              "urgent": event["urgent"]})  # fmt: skip

    async def access_changed(self, event):
        user = self.scope["user"]
        still = await self._channel_groups(user)
        if not still:
            await self.close(code=FORBIDDEN)

    async def session_ended(self, event):
        await close_if_session_ended(self, event)

    @database_sync_to_async
    def _channel_groups(self, user) -> list[str]:
        user.refresh_from_db()
        permissions.forget_memberships(user)
        if not user.is_active:
            return []
        if permissions.is_staff(user):
            return [queue_channel_group(None)]
        led = permissions.led_group_ids(user).values_list("group_id", flat=True)
        return [queue_channel_group(group_id) for group_id in led]
