"""Websocket consumers. Every socket is authenticated and authorised before accept()."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from groups.models import Membership
from groups.services.moderation import queue_channel_group

UNAUTHENTICATED = 4401
FORBIDDEN = 4403


class ModerationQueueConsumer(AsyncJsonWebsocketConsumer):
    """Rings a leader's open queue page when an item in their groups changes."""

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
            await self.channel_layer.group_add(name, self.channel_name)
        await self.channel_layer.group_add(f"user.{user.pk}", self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for name in getattr(self, "channel_groups", []):
            await self.channel_layer.group_discard(name, self.channel_name)
        user = self.scope["user"]
        if user.is_authenticated:
            await self.channel_layer.group_discard(f"user.{user.pk}", self.channel_name)

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

    @database_sync_to_async
    def _channel_groups(self, user) -> list[str]:
        user.refresh_from_db()
        if not user.is_active:
            return []
        if user.is_staff:
            return [queue_channel_group(None)]
        led = Membership.objects.filter(
            user=user, state=Membership.State.ACTIVE,
            role__in=[Membership.Role.LEADER, Membership.Role.OWNER],
        ).values_list("group_id", flat=True)  # fmt: skip
        return [queue_channel_group(group_id) for group_id in led]
