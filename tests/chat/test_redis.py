"""Chat over the real Redis channel layer (channels_redis), through the real ASGI
application. The in-memory layer can never show the redis-py 8 idle timeout
(docs: ../shared/research/stack-spike.md, pitfall 1), so these tests talk to Redis,
each under its own key prefix (pitfall 14), and remove their keys afterwards."""

import asyncio
import copy
import uuid

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings as django_settings

from groups.services import sanctions as sanction_services
from tests.chat.test_socket import FORBIDDEN, Sockets, community, rows, sanction_member

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

REDIS_ADDRESS = "redis://127.0.0.1:6379/0"
# channels_redis listens with BZPOPMIN ... timeout=5; redis-py 8 times a read out after
# 5 s unless told otherwise, so an idle consumer used to die just after 5 s.
IDLE_SECONDS = 6.5


def redis_layer(prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_ADDRESS, "socket_timeout": None}],
                "prefix": prefix,
            },
        }
    }


def unique_prefix() -> str:
    return f"peersupport-test-{uuid.uuid4().hex}"


@pytest_asyncio.fixture
async def redis_sockets(settings):
    """Sockets on a Redis layer with a prefix of their own; every key under it is
    deleted at the end."""
    settings.CHANNEL_LAYERS = redis_layer(unique_prefix())
    opener = Sockets()
    try:
        yield opener
    finally:
        try:
            await opener.close_all()
        finally:
            await get_channel_layer().flush()  # deletes the prefix's keys, closes pools


async def test_the_layer_under_test_is_redis(redis_sockets):
    from channels_redis.core import RedisChannelLayer

    layer = get_channel_layer()
    assert isinstance(layer, RedisChannelLayer)
    assert layer.prefix.startswith("peersupport-test-")


async def test_two_members_chat_through_redis(redis_sockets):
    place = await community()
    first = await redis_sockets.open(place.member, place.group)
    second = await redis_sockets.open(place.other, place.group)

    ack = await first.say("Hello over Redis.")
    received = (await second.expect("message"))["message"]
    assert (received["id"], received["seq"], received["body"]) == (
        ack["id"], 1, "Hello over Redis.",
    )  # fmt: skip

    reply = await second.say("Hello back.")
    assert (await first.expect("message"))["message"]["id"] == reply["id"]
    assert [row.seq for row in await rows()] == [1, 2]


async def test_a_ban_reaches_the_members_socket_through_redis(redis_sockets):
    """The per-user group (access_changed after commit) works across the real layer."""
    place = await community()
    member = await redis_sockets.open(place.member, place.group)

    await database_sync_to_async(sanction_member)(
        sanction_services.sanction_ban, place, reason="Harassment."
    )

    assert (await member.expect("closed"))["reason"]
    await member.expect_closed(FORBIDDEN)


async def test_an_idle_socket_still_receives_the_next_message(redis_sockets):
    place = await community()
    speaker = await redis_sockets.open(place.member, place.group)
    listener = await redis_sockets.open(place.other, place.group)

    await asyncio.sleep(IDLE_SECONDS)

    ack = await speaker.say("Still there after a quiet spell?")
    received = (await listener.expect("message"))["message"]
    assert received["id"] == ack["id"]
    assert await listener.is_alive()


async def test_the_projects_own_layer_settings_survive_an_idle_spell(settings):
    """The same, on the layer exactly as peersupport.settings configures it (only the
    prefix is this test's own), so a settings change that loses socket_timeout=None
    fails here."""
    configured = copy.deepcopy(django_settings.CHANNEL_LAYERS)
    assert configured["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert all(
        isinstance(host, dict) and host.get("socket_timeout", "unset") is None
        for host in configured["default"]["CONFIG"]["hosts"]
    ), configured["default"]["CONFIG"]["hosts"]
    configured["default"]["CONFIG"]["prefix"] = unique_prefix()
    settings.CHANNEL_LAYERS = configured
    opener = Sockets()
    try:
        place = await community()
        speaker = await opener.open(place.member, place.group)
        listener = await opener.open(place.other, place.group)

        await asyncio.sleep(IDLE_SECONDS)

        ack = await speaker.say("Quiet, then a message.")
        assert (await listener.expect("message"))["message"]["id"] == ack["id"]
    finally:
        try:
            await opener.close_all()
        finally:
            await get_channel_layer().flush()
