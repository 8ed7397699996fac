"""What every websocket of ours shares: the close codes (pages hand them to their
scripts, so the browser never keeps a copy), the member's own channel, the pool of
threads that socket database work runs in, and what a socket does when Postgres or
Redis fails: it answers, it does not die."""

import asyncio
import contextlib
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import redis.exceptions
from asgiref.sync import async_to_sync
from channels.consumer import get_handler_name
from channels.db import DatabaseSyncToAsync
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from django.db import InterfaceError, InternalError, OperationalError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups import socket_limit

logger = logging.getLogger(__name__)

UNAUTHENTICATED = 4401
FORBIDDEN = 4403
# The member already holds settings.SOCKETS_PER_MEMBER sockets open (see socket_limit).
TOO_MANY_SOCKETS = 4429
# Try again later (think HTTP 503; servers refuse the standard 1013 from applications):
# Postgres or Redis failed while the socket opened or while it handled news from the
# channel layer; the browser reconnects after a pause.
TRY_AGAIN_LATER = 4503
CLOSE_CODES = {
    "unauthenticated": UNAUTHENTICATED,
    "forbidden": FORBIDDEN,
    "too_many_sockets": TOO_MANY_SOCKETS,
    "try_again_later": TRY_AGAIN_LATER,
}

# Failures of the database or of Redis that pass: restarts, a read-only standby,
# refused or reset connections, calls that time out. A socket answers them with an
# "unavailable" frame and the browser tries again; bugs (ProgrammingError, ...) are
# not among them, so they are never retried forever.
UNAVAILABLE = (OperationalError, InterfaceError, InternalError, redis.exceptions.ConnectionError,
               redis.exceptions.TimeoutError, TimeoutError, OSError)  # fmt: skip
RETRY_AFTER_SECONDS = 3
# A socket joins its channel groups again at least this often, in case Redis lost them
# without our noticing; channels_redis forgets a membership after a day (group_expiry).
GROUPS_RENEW_SECONDS = 600

# Database work from sockets runs in a pool of threads, not one shared thread, so one
# room's sends don't queue behind another's. Each thread keeps its own connection, so
# the pool's size is the sockets' share of the process's connection budget
# (settings.SOCKET_DATABASE_THREADS; see the database section of the settings).
_pool = ThreadPoolExecutor(max_workers=settings.SOCKET_DATABASE_THREADS,
                           thread_name_prefix="socket-db")  # fmt: skip
database_sync_to_async = partial(DatabaseSyncToAsync, thread_sensitive=False, executor=_pool)


def user_channel(user_id: int) -> str:
    """Every socket of one member listens here for access changes and logouts."""
    return f"user.{user_id}"


def bell_channel(user_id: int) -> str:
    """The member's pages listen here for new notifications (the bell and, for leaders,
    urgent queue items): only the page socket joins it, not chat or the queue."""
    return f"bell.{user_id}"


async def layer_call(awaitable):
    """A channel-layer call, bounded in time: with no timeout a frozen Redis would stall
    the socket silently. (The idle wait for news is not bounded: it may last.)"""
    return await asyncio.wait_for(awaitable, timeout=settings.CHANNEL_LAYER_TIMEOUT)


def ring_from_sync(group: str, event: dict) -> None:
    """Ring a channel group from synchronous code (a service, after commit), bounded
    like every other layer call: with a frozen Redis, a page that bans, reports or
    logs out would otherwise hang for as long as Redis does. Raises on failure; the
    caller decides what a lost ring means."""
    layer = get_channel_layer()
    if layer is None:
        return

    async def bounded():
        await layer_call(layer.group_send(group, event))

    async_to_sync(bounded)()


def unavailable_frame(message: str, client_msg_id=None) -> dict:
    frame = {"type": "error", "code": "unavailable", "message": str(message)}
    if client_msg_id is not None:
        frame["client_msg_id"] = client_msg_id
    frame["retry_after"] = RETRY_AFTER_SECONDS
    return frame


async def close_if_session_ended(consumer, event) -> None:
    """The member logged out: a socket opened with that session closes."""
    session = consumer.scope.get("session")
    key = event.get("session_key")
    if session is None or not key or session.session_key == key:
        await consumer.close(code=UNAUTHENTICATED)


class Doorbell:
    """Rings channel groups in order, beside the socket rather than in its way: a slow
    or frozen Redis delays the ring (each bounded by layer_call), never the answer the
    member is waiting for. The channel layer is only a doorbell; clients catch up by
    sequence number, so a ring that fails is logged and dropped."""

    MAX_WAITING = 200

    def __init__(self, layer):
        self.layer = layer
        self.queue: asyncio.Queue = asyncio.Queue()
        self.task: asyncio.Task | None = None

    def ring(self, group: str, event: dict) -> None:
        if self.queue.qsize() >= self.MAX_WAITING:
            logger.warning("doorbell for %s dropped: %d rings waiting", group, self.MAX_WAITING)
            return
        self.queue.put_nowait((group, event))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            group, event = await self.queue.get()
            try:
                await layer_call(self.layer.group_send(group, event))
            except Exception:
                logger.warning("doorbell for %s not rung; clients will catch up", group,
                               exc_info=True)  # fmt: skip
            finally:
                self.queue.task_done()

    async def close(self) -> None:
        """Ring what is waiting (bounded), then stop."""
        if self.task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.queue.join(), timeout=settings.CHANNEL_LAYER_TIMEOUT)
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


class SocketConsumer(AsyncJsonWebsocketConsumer):
    """The base of our sockets. Channel-layer calls are bounded in time; a member holds
    at most settings.SOCKETS_PER_MEMBER sockets (across processes, see socket_limit);
    when Postgres or Redis fails, a frame from the browser gets an "unavailable" error
    and the socket stays open, while opening the socket or handling news from the layer
    closes it with TRY_AGAIN_LATER (so the reconnect checks access afresh), never 1011.
    Subclasses join channel groups with `join` and ring them with `ring`."""

    unavailable_message = gettext_lazy(
        "This isn't available for a moment: we'll try again shortly."
    )

    async def __call__(self, scope, receive, send):
        # AsyncConsumer.__call__, but news from the channel layer is awaited through
        # _channel_receive, and what the socket holds is let go however it ends.
        self.scope = scope
        self.joined: list[str] = []
        self.claimed = False
        self.heartbeat: asyncio.Task | None = None
        self.doorbell: Doorbell | None = None
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        listeners = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            listeners.append(self._channel_receive)
        try:
            await await_many_dispatch(listeners, self.dispatch)
        except StopConsumer:
            pass
        finally:
            await self._let_go()

    async def _channel_receive(self):
        """channel_layer.receive, but a Redis failure waits and listens again (with
        back-off, so nothing spins) instead of killing the socket."""
        delay = 0.5
        while True:
            try:
                return await self.channel_layer.receive(self.channel_name)
            except UNAVAILABLE:
                logger.warning("channel layer unavailable; listening again in %.1f s", delay,
                               exc_info=True)  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _give_back_place(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()
        if self.claimed:
            self.claimed = False
            await socket_limit.release(self.channel_layer, self.scope["user"].pk,
                                       self.channel_name)  # fmt: skip

    async def _let_go(self) -> None:
        await self._give_back_place()
        if self.doorbell is not None and self.doorbell.task is not None:
            self.doorbell.task.cancel()

    async def dispatch(self, message):
        # AsyncConsumer.dispatch, less the close_old_connections() it runs before every
        # message, in Channels' one shared sync thread: a room's every delivery to every
        # socket queued through that one thread (a 200-message burst into 100 sockets
        # was 20,000 hops). It guards connections opened in that thread, and socket code
        # opens none there: all of it runs through database_sync_to_async below (and
        # the auth middleware through Channels' own), which close old connections before
        # and after each call, in the thread that holds them.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except UNAVAILABLE:
            logger.warning("socket: %s failed, Postgres or Redis unavailable", message["type"],
                           exc_info=True)  # fmt: skip
            if message["type"] == "websocket.receive":
                await self.send_json(unavailable_frame(self.unavailable_message))
            else:
                await self.close_for_now()

    async def close_for_now(self) -> None:
        if not getattr(self, "accepted", False):
            await self.accept()
        await self.send_json(unavailable_frame(self.unavailable_message))
        await self.close(code=TRY_AGAIN_LATER)

    async def accept(self, subprotocol=None, headers=None):
        self.accepted = True
        await super().accept(subprotocol, headers)

    async def websocket_connect(self, message):
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            self.claimed = await socket_limit.claim(self.channel_layer, user.pk,
                                                    self.channel_name)  # fmt: skip
            if not self.claimed:
                await self.accept()
                await self.send_json({"type": "closed", "reason": _(
                    "You have a lot of windows open here. Close some of them, then reload "
                    "this page.")})  # fmt: skip
                await self.close(code=TOO_MANY_SOCKETS)
                return
            self.heartbeat = asyncio.create_task(self._beat(user.pk))
        await super().websocket_connect(message)

    async def websocket_disconnect(self, message):
        await self._give_back_place()  # first: the member may be opening another tab already
        with contextlib.suppress(Exception):
            await self.disconnect(message["code"])
        if self.doorbell is not None:
            await self.doorbell.close()
        for group in self.joined:
            with contextlib.suppress(Exception):
                await layer_call(self.channel_layer.group_discard(group, self.channel_name))
        raise StopConsumer()

    async def join(self, group: str) -> None:
        """Listen to a channel group. With Redis away the socket opens all the same
        (sends are saved and acknowledged; the browser catches up by sequence number),
        and the heartbeat joins the group once Redis is back."""
        self.joined.append(group)
        try:
            await layer_call(self.channel_layer.group_add(group, self.channel_name))
        except UNAVAILABLE:
            logger.warning("socket opened without joining %s: Redis unavailable", group)

    def ring(self, group: str, event: dict) -> None:
        if self.doorbell is None:
            self.doorbell = Doorbell(self.channel_layer)
        self.doorbell.ring(group, event)

    async def _beat(self, user_id: int) -> None:
        """Keeps this socket counted, and its group memberships fresh: after a Redis
        restart they come back within one beat. A beat is one round trip to Redis; the
        groups are joined again only when Redis has lost the socket's entry (it was
        restarted or emptied) or GROUPS_RENEW_SECONDS have passed (channels_redis lets
        a membership expire after a day). Beats are spread at random over the second
        half of the interval, so a room that filled at once (a deploy, a benchmark)
        does not beat all at once."""
        rejoin_after = time.monotonic() + GROUPS_RENEW_SECONDS
        while True:
            spread = random.uniform(0.5, 1.0)  # noqa: S311 - timing, not a secret
            await asyncio.sleep(settings.SOCKET_HEARTBEAT_SECONDS * spread)
            still_counted = await socket_limit.renew(self.channel_layer, user_id,
                                                     self.channel_name)  # fmt: skip
            if still_counted and time.monotonic() < rejoin_after:
                continue
            for group in list(self.joined):
                try:
                    await layer_call(self.channel_layer.group_add(group, self.channel_name))
                except UNAVAILABLE:
                    logger.warning("could not renew membership of %s", group)
                    break
            else:
                rejoin_after = time.monotonic() + GROUPS_RENEW_SECONDS
