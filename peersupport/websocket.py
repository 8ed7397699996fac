"""What every request passes on its way in: for HTTP, a limit on how many are inside
Django at once; for websockets, the origin check, an answer when Postgres or Redis
fails, and an answer for a path that leads nowhere."""

import asyncio
import json
import logging
import weakref
from urllib.parse import urlparse

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier
from django.utils.translation import gettext as _

from groups.sockets import TRY_AGAIN_LATER, UNAVAILABLE, unavailable_frame

logger = logging.getLogger(__name__)


class SameOriginValidator:
    """Channels' AllowedHostsOriginValidator compares host names only, so a page on
    another port of an allowed host (http://localhost:9999) could open our sockets.
    Here the page's origin must also name the very host and port the socket was opened
    on (the Host header; a proxy must pass it on, port included)."""

    def __init__(self, application):
        self.application = AllowedHostsOriginValidator(application)

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        origin, host = headers.get(b"origin"), headers.get(b"host")
        if origin is not None and host is not None:
            parsed = urlparse(origin.decode("latin1"))
            if parsed.scheme not in ("http", "https") or parsed.netloc != host.decode("latin1"):
                return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)


class NoSuchSocket(AsyncWebsocketConsumer):
    """A /ws/ path that leads nowhere is refused like a closed door, not answered with
    a server error."""

    async def connect(self):
        await self.close()


class LimitedConcurrency:
    """At most `limit` HTTP requests inside Django at once; the rest wait their turn.
    Under ASGI each request runs in a thread (and on a database connection) of its
    own, so without a limit a burst of requests opens a burst of connections and
    PostgreSQL refuses the rest with "too many clients"."""

    def __init__(self, application, limit: int):
        self.application = application
        self.limit = limit
        self.semaphores: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def __call__(self, scope, receive, send):
        loop = asyncio.get_running_loop()
        semaphore = self.semaphores.get(loop)
        if semaphore is None:
            semaphore = self.semaphores[loop] = asyncio.Semaphore(self.limit)
        async with semaphore:
            return await self.application(scope, receive, send)


class AnswerWhenUnavailable:
    """The last line for every socket: if Postgres or Redis fails where no consumer can
    answer (loading the session before routing, say), the browser gets an
    "unavailable" frame and the standard "try again later" close, not a 1011."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        state = {"accepted": False, "closed": False}

        async def watched_send(message):
            if message["type"] == "websocket.accept":
                state["accepted"] = True
            elif message["type"] == "websocket.close":
                state["closed"] = True
            await send(message)

        try:
            return await self.application(scope, receive, watched_send)
        except UNAVAILABLE:
            logger.warning("socket refused: Postgres or Redis unavailable", exc_info=True)
            if state["closed"]:
                return None
            if not state["accepted"]:
                await send({"type": "websocket.accept"})
            frame = unavailable_frame(_("This isn't available for a moment: we'll try again "
                                        "shortly."))  # fmt: skip
            await send({"type": "websocket.send", "text": json.dumps(frame)})
            await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
            return None
