"""Every websocket endpoint, for every kind of person, in each kind of group: who
gets in (accept) and who is turned away before accept() (4401 / 4403)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from peersupport.asgi import application
from tests.factories import signed_in
from tests.groups.test_permission_table import KINDS, ROLES, World

ACCEPT, LOGIN, FORBIDDEN = "accept", 4401, 4403

# endpoint -> {role: expected, the same in public, private and hidden groups}. A staff
# account without two-factor authentication has no staff powers: an outsider here.
TABLE = {
    # Every signed-in page's bell: anyone signed in, whatever their standing in a group.
    "bell": {
        "anonymous": LOGIN, "outsider": ACCEPT, "requester": ACCEPT, "member": ACCEPT,
        "muted": ACCEPT, "banned": ACCEPT, "other_leader": ACCEPT, "leader": ACCEPT,
        "owner": ACCEPT, "staff": ACCEPT, "staff_no_2fa": ACCEPT,
    },
    "chat": {
        "anonymous": LOGIN, "outsider": FORBIDDEN, "requester": FORBIDDEN, "member": ACCEPT,
        "muted": ACCEPT, "banned": FORBIDDEN, "other_leader": FORBIDDEN, "leader": ACCEPT,
        "owner": ACCEPT, "staff": ACCEPT, "staff_no_2fa": FORBIDDEN,
    },
    "leaders_chat": {
        "anonymous": LOGIN, "outsider": FORBIDDEN, "requester": FORBIDDEN,
        "member": FORBIDDEN, "muted": FORBIDDEN, "banned": FORBIDDEN,
        "other_leader": FORBIDDEN, "leader": ACCEPT, "owner": ACCEPT, "staff": ACCEPT,
        "staff_no_2fa": FORBIDDEN,
    },
    "moderation": {
        "anonymous": LOGIN, "outsider": FORBIDDEN, "requester": FORBIDDEN,
        "member": FORBIDDEN, "muted": FORBIDDEN, "banned": FORBIDDEN,
        "other_leader": ACCEPT, "leader": ACCEPT, "owner": ACCEPT, "staff": ACCEPT,
        "staff_no_2fa": FORBIDDEN,
    },
}  # fmt: skip
PATHS = {
    "bell": "/ws/bell/",
    "chat": "/ws/groups/{slug}/chat/",
    "leaders_chat": "/ws/groups/{slug}/chat/leaders/",
    "moderation": "/ws/moderation/",
}


@database_sync_to_async
def arrange(kind, role):
    world = World(kind)
    person = world.people[role]
    headers = [(b"origin", b"http://testserver")]
    if person is not None:
        client = signed_in(person)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return world.group.slug, headers


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(TABLE))
async def test_socket_by_role(endpoint, role, kind):
    slug, headers = await arrange(kind, role)
    communicator = WebsocketCommunicator(
        application, PATHS[endpoint].format(slug=slug), headers=headers
    )
    connected, code = await communicator.connect()
    expected = TABLE[endpoint][role]
    if expected == ACCEPT:
        assert connected, code
        if endpoint == "bell":
            assert (await communicator.receive_json_from())["type"] == "bell"
        elif endpoint != "moderation":
            hello = await communicator.receive_json_from()
            assert hello["type"] == "hello"
            assert hello["can_read"] is True
            assert hello["can_send"] is (role != "muted")
    else:
        assert not connected
        assert code == expected
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_socket_without_an_allowed_origin_is_refused():
    slug, headers = await arrange("public", "member")
    headers = [(name, value) for name, value in headers if name != b"origin"]
    headers.append((b"origin", b"http://evil.example"))
    communicator = WebsocketCommunicator(application, f"/ws/groups/{slug}/chat/", headers=headers)
    connected, _code = await communicator.connect()
    assert not connected


def test_every_websocket_route_is_in_the_table():
    from peersupport.routing import websocket_urlpatterns

    routes = {str(route.pattern) for route in websocket_urlpatterns}
    # The last route refuses every path that leads nowhere (tests/peersupport/test_socket_edges.py).
    assert str(websocket_urlpatterns[-1].pattern) == ""
    routes.discard("")
    assert routes == {PATHS[name].replace("{slug}", "<slug:slug>").lstrip("/") for name in TABLE}
