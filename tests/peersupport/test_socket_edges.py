"""Before any socket reaches its app: the page's origin must be this very host and
port, and a /ws/ path that leads nowhere is refused rather than answered with 500."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from peersupport.asgi import application
from tests.factories import Community

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@database_sync_to_async
def member_cookie() -> tuple[Community, bytes]:
    place = Community()
    client = Client()
    client.force_login(place.member)
    name = settings.SESSION_COOKIE_NAME
    return place, f"{name}={client.cookies[name].value}".encode()


async def attempt(path: str, *, origin: bytes, host: bytes, cookie: bytes = b""):
    headers = [(b"origin", origin), (b"host", host)]
    if cookie:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect()
    await communicator.disconnect()
    return connected


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (b"http://localhost:8000", b"localhost:8000", True),
        (b"http://localhost:9999", b"localhost:8000", False),  # another port of an allowed host
        (b"http://localhost", b"localhost:8000", False),
        (b"https://localhost:8000", b"localhost:8000", True),
        (b"ftp://localhost:8000", b"localhost:8000", False),
        (b"http://evil.example:8000", b"evil.example:8000", False),  # not an allowed host
        (b"null", b"localhost:8000", False),
    ],
)
async def test_only_a_page_of_this_very_host_and_port_may_open_a_socket(origin, host, allowed):
    place, cookie = await member_cookie()
    path = f"/ws/groups/{place.group.slug}/chat/"
    assert await attempt(path, origin=origin, host=host, cookie=cookie) is allowed


@pytest.mark.parametrize("path", ["/ws/nothing/", "/ws/", "/ws/groups/x/elsewhere/", "/other/"])
async def test_a_path_that_leads_nowhere_is_refused_not_a_server_error(path):
    assert await attempt(path, origin=b"http://localhost:8000", host=b"localhost:8000") is False
