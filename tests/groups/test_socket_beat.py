"""A socket's heartbeat on the real Redis: one round trip that keeps the socket
counted and tells whether Redis lost anything since the last beat (then, and only
then, the socket joins its channel groups again)."""

import uuid

import pytest
from channels.layers import get_channel_layer

from groups import socket_limit


@pytest.fixture
def layer(settings):
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"test-{uuid.uuid4().hex}"
    return get_channel_layer()


@pytest.mark.asyncio
async def test_a_beat_says_the_socket_was_still_counted_when_redis_kept_its_entry(layer):
    assert await socket_limit.claim(layer, 7, "socket-a")

    assert await socket_limit.renew(layer, 7, "socket-a") is True
    await layer.flush()


@pytest.mark.asyncio
async def test_a_beat_after_redis_lost_the_entry_counts_the_socket_again_and_says_so(layer):
    assert await socket_limit.claim(layer, 7, "socket-a")
    redis = socket_limit._redis(layer)
    await redis.delete(socket_limit._key(layer, 7))  # as a Redis restart would

    assert await socket_limit.renew(layer, 7, "socket-a") is False
    assert await redis.zscore(socket_limit._key(layer, 7), "socket-a") is not None
    assert await socket_limit.renew(layer, 7, "socket-a") is True
    await layer.flush()
