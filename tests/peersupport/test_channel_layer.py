"""The chat's channel layer on the real Redis: the in-memory layer hides failures
such as redis-py 8 killing consumers that sit idle for 5 seconds."""

import asyncio
import uuid

import pytest
from channels.layers import get_channel_layer
from django.conf import settings


def test_the_redis_layer_is_configured_without_a_socket_timeout():
    config = settings.CHANNEL_LAYERS["default"]
    assert config["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert config["CONFIG"]["hosts"][0]["socket_timeout"] is None


@pytest.mark.asyncio
async def test_a_consumer_that_waits_longer_than_redis_py_timeout_still_gets_its_message(settings):
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"test-{uuid.uuid4().hex}"
    layer = get_channel_layer()
    channel = await layer.new_channel()
    receiving = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(6.5)  # longer than redis-py 8's 5-second default
    assert not receiving.done(), receiving.exception() if receiving.done() else ""
    await layer.send(channel, {"type": "chat.message", "text": "still here"})
    message = await asyncio.wait_for(receiving, timeout=5)
    assert message["text"] == "still here"
    await layer.flush()
