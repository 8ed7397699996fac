"""How many sockets one member holds open at once, across every server process.

With the Redis channel layer the count lives in Redis, beside the layer's own keys:
one sorted set per member, one entry per open socket, scored with the moment it
expires. A socket renews its entry every SOCKET_HEARTBEAT_SECONDS and removes it when
it closes; an entry whose socket died with its process (no close ever ran) expires
after SOCKET_CLAIM_SECONDS, so the count never leaks. With the in-memory layer (one
process, development) the count is kept in this process.

If Redis fails, the member is let in and a warning is logged: a person in need can
still chat while Redis is away, and the cap only guards against hoarding."""

import asyncio
import logging
import time

from django.conf import settings

logger = logging.getLogger(__name__)

# KEYS[1]: the member's set. ARGV: now, expiry, socket, cap, key lifetime in seconds.
CLAIM = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[3])
   and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""

_in_process: dict[int, dict[str, float]] = {}


def _key(layer, user_id: int) -> str:
    # User ids are only unique within one database, and one Redis may serve several.
    database = settings.DATABASES["default"]["NAME"]
    return f"{layer.prefix}sockets:{database}:{user_id}"


def _redis(layer):
    connection = getattr(layer, "connection", None)
    return connection(0) if connection is not None else None


async def _bounded(awaitable):
    return await asyncio.wait_for(awaitable, timeout=settings.CHANNEL_LAYER_TIMEOUT)


async def claim(layer, user_id: int, socket: str) -> bool:
    """Count this socket for the member; False when they already hold the cap."""
    now = time.time()
    expires = now + settings.SOCKET_CLAIM_SECONDS
    cap = settings.SOCKETS_PER_MEMBER
    client = _redis(layer)
    if client is None:
        held = _in_process.setdefault(user_id, {})
        for name, until in list(held.items()):
            if until <= now:
                del held[name]
        if socket not in held and len(held) >= cap:
            return False
        held[socket] = expires
        return True
    try:
        key = _key(layer, user_id)
        lifetime = settings.SOCKET_CLAIM_SECONDS
        allowed = await _bounded(client.eval(CLAIM, 1, key, now, expires, socket, cap, lifetime))
    except Exception:
        logger.warning("socket count unavailable: letting member %s in uncounted", user_id,
                       exc_info=True)  # fmt: skip
        return True
    return bool(allowed)


async def renew(layer, user_id: int, socket: str) -> bool:
    """Keep this socket counted. True when its entry was still there, so Redis has
    lost nothing since the last beat (nor the socket's channel groups, kept beside
    it); False when the entry had to be made again, or Redis did not answer."""
    expires = time.time() + settings.SOCKET_CLAIM_SECONDS
    client = _redis(layer)
    if client is None:
        held = _in_process.setdefault(user_id, {})
        was_there = socket in held
        held[socket] = expires
        return was_there
    key = _key(layer, user_id)
    try:
        # A plain ZADD: after a Redis restart the entry comes back. One round trip.
        async with client.pipeline(transaction=False) as pipe:
            pipe.zadd(key, {socket: expires})
            pipe.expire(key, settings.SOCKET_CLAIM_SECONDS)
            added, _expire_set = await _bounded(pipe.execute())
    except Exception:
        logger.warning("socket count not renewed for member %s", user_id, exc_info=True)
        return False
    return not added


async def release(layer, user_id: int, socket: str) -> None:
    client = _redis(layer)
    if client is None:
        held = _in_process.get(user_id, {})
        held.pop(socket, None)
        if not held:
            _in_process.pop(user_id, None)
        return
    try:
        await _bounded(client.zrem(_key(layer, user_id), socket))
    except Exception:
        # Not fatal: the entry expires by itself.
        logger.warning("socket count not released for member %s", user_id, exc_info=True)
