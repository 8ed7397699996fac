"""Every limit on how fast one member may act, its numbers, and the one counter they
all share, kept in Redis so that a limit holds across every server process and host.

The numbers, and why. What mature products allow one person:

* Slack: about one message a second per channel, with short bursts allowed
  (chat.postMessage, "Posting messages: 1 per second").
* Discord: five messages per five seconds per channel, so one a second.
* Zulip: 200 API requests a minute per user (DEFAULT_RATE_LIMITING_RULES
  "api_by_user"), every request counted, sending included.
* Discourse: new topics and replies are spaced (rate_limit_create_topic 15 s,
  rate_limit_create_post 5 s) and capped per day.

A lively group talks in short lines, a few in a row, and a member whose phone was
offline sends what they wrote there all at once when it reconnects. So chat allows a
burst of ten, then one a second, as Slack and Discord do: sixty a minute is more than
anyone types, and little enough that a spammer is slowed to where slow mode, a mute
and the queue can catch up. Retries of a message already saved are never counted
(chat/consumers.py asks before the limit). Threads and posts are slower things: a
burst, then one every few seconds or minutes, so a flood is slowed and a person
writing is never in the way. Reports and support requests come in a small burst too:
somebody who sees a thread go bad reports several posts at once.

Password checks (sign-in, reset, change, the delete-account page) are limited by
allauth, with the numbers in ACCOUNT_RATE_LIMITS below (the settings read them from
here) and its counters in the shared database cache.

The counter is a generic cell rate algorithm (GCRA): one key per member and limit
holding the moment their allowance is next fully theirs again, read and moved by one
Lua script in one round trip, so two processes can never both take the last place.
Redis's own clock decides, not each host's. Without REDIS_URL (development, one
process) the same algorithm runs in this process.

When Redis does not answer, nothing that reads is affected (only writes are limited),
and a write is refused with `StoreUnavailable`: the member is told kindly, and keeps
what they wrote, and tries again in a moment. Support requests are the one exception
(`allow_when_store_is_down`): a person asking for help is never turned away by a
counter, and the queue keeps one live request per member and group anyway.
"""

import asyncio
import hashlib
import logging
import math
import time
import weakref
from dataclasses import dataclass

import redis
import redis.asyncio
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """A burst of `burst` actions, then one more every `every` seconds."""

    name: str
    burst: int
    every: float
    allow_when_store_is_down: bool = False

    @property
    def interval_ms(self) -> int:
        return max(1, round(self.every * 1000))


CHAT_SEND = Limit("chat-send", burst=10, every=1.0)
# Five threads in an hour: a new thread is a new conversation, and a member starting
# more is usually better served by replying in one of theirs.
THREAD_START = Limit("thread-start", burst=5, every=12 * 60)
# Six replies in a minute, then one every ten seconds: each renders Markdown, notifies
# and is screened.
REPLY = Limit("reply", burst=6, every=10)
# Like replies: each edit renders Markdown again and keeps a revision.
POST_EDIT = Limit("post-edit", burst=6, every=10)
# Reports of posts, chat messages and members: ten at once, then twenty an hour.
REPORT = Limit("report", burst=10, every=3 * 60)
# "I need support now": three at once, then one every ten minutes (each tells the
# leaders' room).
SUPPORT_REQUEST = Limit("support-request", burst=3, every=10 * 60, allow_when_store_is_down=True)
# "I'm having a craving" posted to a group's chat from the craving SOS (recovery/): a
# few in a row on a hard night, then one every twenty minutes, so that a group's chat
# isn't filled with them; asking the leaders instead is SUPPORT_REQUEST's to limit.
SOS_CHAT_POST = Limit("sos-chat-post", burst=3, every=20 * 60)

ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, spelt out so the numbers are reviewed here.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "change_email": "1/m/user",
    "reauthenticate": "10/m/user",
    # Ours: wrong passwords on the delete-account page, limited like failed logins.
    "delete_account_failed": "5/5m/user",
}

# KEYS[1]: the member's cell. ARGV: milliseconds per action, burst.
# Returns 0 when the action is taken, otherwise the milliseconds until it may be.
GCRA = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat - now - (burst - 1) * interval
if wait > 0 then return wait end
redis.call('SET', KEYS[1], tat + interval, 'PX', tat + interval - now)
return 0
"""
GCRA_SHA = hashlib.sha1(GCRA.encode()).hexdigest()  # noqa: S324 - how Redis names scripts
# A limit check that waits longer than this is given up, and the write refused.
STORE_TIMEOUT_SECONDS = 1.0


class RateLimited(ValidationError):
    """Refused by a limit: `retry_after` says in how many seconds to try again."""

    def __init__(self, message, *, retry_after: float = 0, code: str = "rate_limited"):
        super().__init__(message, code=code, params={"retry_after": retry_after})
        self.retry_after = retry_after


class StoreUnavailable(RateLimited):
    """Redis, where the counts are kept, did not answer: the write is refused for now."""

    def __init__(self):
        super().__init__(
            _("We couldn't save this just now: part of the site is having a moment. "
              "What you wrote is still here; please try again in a minute."),
            retry_after=RETRY_AFTER_WHEN_DOWN, code="unavailable",
        )  # fmt: skip


RETRY_AFTER_WHEN_DOWN = 3


def _key(limit: Limit, who) -> str:
    # User ids are only unique within one database, and one Redis may serve several.
    database = settings.DATABASES["default"]["NAME"]
    return f"{settings.CHANNELS_PREFIX}:limits:{database}:{limit.name}:{who}"


def _seconds(milliseconds) -> float:
    """Rounded up to a tenth, and never 0 for a refusal."""
    return max(0.1, math.ceil(int(milliseconds) / 100) / 10) if milliseconds else 0.0


# One process without Redis: the same algorithm in a dict.
_in_process: dict[str, float] = {}
IN_PROCESS_MAX_KEYS = 10_000


def _take_in_process(limit: Limit, key: str) -> float:
    now = time.monotonic()
    if len(_in_process) > IN_PROCESS_MAX_KEYS:  # forget cells already full again
        for name, tat in list(_in_process.items()):
            if tat <= now:
                del _in_process[name]
    tat = max(_in_process.get(key, now), now)
    wait = tat - now - (limit.burst - 1) * limit.every
    if wait > 0:
        return math.ceil(wait * 10) / 10
    _in_process[key] = tat + limit.every
    return 0.0


_clients: dict[str, redis.Redis] = {}


def _client() -> redis.Redis:
    url = settings.REDIS_URL
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=STORE_TIMEOUT_SECONDS,
            socket_connect_timeout=STORE_TIMEOUT_SECONDS,
        )  # fmt: skip
    return client


def wait(limit: Limit, who) -> float:
    """0 when `who` may act now (and it is counted), otherwise the seconds to wait.
    Raises StoreUnavailable when Redis doesn't answer (unless the limit allows)."""
    key = _key(limit, who)
    if not settings.REDIS_URL:
        return _take_in_process(limit, key)
    client = _client()
    try:
        try:
            waited = client.evalsha(GCRA_SHA, 1, key, limit.interval_ms, limit.burst)
        except redis.exceptions.NoScriptError:
            waited = client.eval(GCRA, 1, key, limit.interval_ms, limit.burst)
    except redis.exceptions.RedisError:
        return _store_down(limit, who)
    return _seconds(waited)


_async_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis]" = (
    weakref.WeakKeyDictionary()
)


def _async_client() -> redis.asyncio.Redis:
    # An asyncio client belongs to the event loop it was made in.
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        client = _async_clients[loop] = redis.asyncio.Redis.from_url(
            settings.REDIS_URL, socket_timeout=STORE_TIMEOUT_SECONDS,
            socket_connect_timeout=STORE_TIMEOUT_SECONDS,
        )  # fmt: skip
    return client


async def await_wait(limit: Limit, who) -> float:
    """`wait`, for sockets: asks Redis without holding up the event loop."""
    key = _key(limit, who)
    if not settings.REDIS_URL:
        return _take_in_process(limit, key)
    client = _async_client()
    try:
        async with asyncio.timeout(STORE_TIMEOUT_SECONDS):
            try:
                waited = await client.evalsha(GCRA_SHA, 1, key, limit.interval_ms, limit.burst)
            except redis.exceptions.NoScriptError:
                waited = await client.eval(GCRA, 1, key, limit.interval_ms, limit.burst)
    except (redis.exceptions.RedisError, TimeoutError, OSError):
        return _store_down(limit, who)
    return _seconds(waited)


def _store_down(limit: Limit, who) -> float:
    if limit.allow_when_store_is_down:
        logger.warning("limit %s unavailable: letting %s through uncounted", limit.name, who,
                       exc_info=True)  # fmt: skip
        return 0.0
    logger.warning("limit %s unavailable: refusing %s for now", limit.name, who, exc_info=True)
    raise StoreUnavailable


def take(limit: Limit, who, message) -> None:
    """Count one action of `who`, or raise RateLimited with `message` (a sentence the
    member reads) and the seconds to wait."""
    retry_after = wait(limit, who)
    if retry_after:
        raise RateLimited(message, retry_after=retry_after)
