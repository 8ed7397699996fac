"""The baseline for bench/chat_load.py: the Channels tutorial consumer, nothing more.

No authentication, no origin check, no database: one route, ``ws/bare/<room>/``, whose
consumer joins a channel group per room and broadcasts what it is sent with a
sequence number from an in-memory, per-process counter. Frames have the same shape as
the real ``chat.consumers.ChatConsumer`` (hello, ack, message), so one load client
drives both. It uses the same channel layer as the real app (Redis from ``REDIS_URL``
with ``socket_timeout`` None and the ``CHANNELS_PREFIX`` prefix; in-memory without
``REDIS_URL``), so the difference between the two is what the app itself costs.

    python -m daphne -b 127.0.0.1 -p 8001 bench.bare_asgi:application
    python -m uvicorn --host 127.0.0.1 --port 8001 --ws websockets bench.bare_asgi:application
"""

import datetime
import itertools
import os
from collections import defaultdict

import django
from django.conf import settings

if not settings.configured:
    REDIS_URL = os.environ.get("REDIS_URL", "")
    if REDIS_URL:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    # The real app's settings: redis-py 8 otherwise drops idle readers.
                    "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                    "prefix": os.environ.get("CHANNELS_PREFIX", "bench-bare"),
                },
            }
        }
    else:
        CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-bare-not-a-secret",  # noqa: S106 - nothing is signed here
        ALLOWED_HOSTS=["127.0.0.1"],
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS=CHANNEL_LAYERS,
        USE_TZ=True,
        # The real app logs at INFO too, so channels_redis's "over capacity" lines show
        # up in both servers' logs.
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"console": {"class": "logging.StreamHandler"}},
            "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        },
    )
    django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

# Sequence numbers per room, for this process only (the real app takes them from
# Postgres under a row lock).
_sequences: defaultdict[str, itertools.count] = defaultdict(lambda: itertools.count(1))
_last_seq: dict[str, int] = {}


def _next_seq(room: str) -> int:
    seq = next(_sequences[room])
    _last_seq[room] = seq
    return seq


class BareChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.group_name = f"bare.{self.room}"
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json(
            {"type": "hello", "room": self.room, "last_seq": _last_seq.get(self.room, 0)}
        )

    async def disconnect(self, code):
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "send":
            await self._on_send(content)
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json(
                {
                    "type": "error",
                    "code": "unknown_type",
                    "message": "The bare server only knows send and ping.",
                }
            )

    async def _on_send(self, content):
        client_msg_id = content.get("client_msg_id")
        body = content.get("body")
        if not isinstance(client_msg_id, str) or not isinstance(body, str):
            await self.send_json(
                {"type": "error", "code": "invalid", "message": "A message needs text and an id."}
            )
            return
        seq = _next_seq(self.room)
        message = {
            "id": seq,
            "seq": seq,
            "author": "bare",
            "body": body,
            "deleted": False,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "client_msg_id": client_msg_id,
        }
        # Broadcast first, then acknowledge: the real app's order (its broadcast runs
        # on commit, inside the send).
        await self.channel_layer.group_send(
            self.group_name, {"type": "chat.message", "message": message}
        )
        await self.send_json(
            {
                "type": "ack",
                "client_msg_id": client_msg_id,
                "id": seq,
                "seq": seq,
                "message": message,
            }
        )

    async def chat_message(self, event):
        await self.send_json({"type": "message", "message": event["message"]})


application = ProtocolTypeRouter(
    {
        "websocket": URLRouter([path("ws/bare/<slug:room>/", BareChatConsumer.as_asgi())]),
    }
)
