"""What every websocket passes before routing: the origin check, and an answer for a
path that leads nowhere."""

from urllib.parse import urlparse

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier


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
