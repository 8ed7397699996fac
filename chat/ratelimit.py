"""How fast one member may send chat messages: the numbers, and the counter.

The numbers, and why. What mature chat products allow one person to post:

* Slack: about one message a second per channel, with short bursts allowed
  (chat.postMessage, "Posting messages: 1 per second").
* Discord: five messages per five seconds per channel, so one a second.
* Zulip: 200 API requests a minute per user (DEFAULT_RATE_LIMITING_RULES
  "api_by_user"), every request counted, sending included.
* Mattermost: 10 requests a second with bursts of 100, for the whole API (off by
  default; sized for API clients, not for chat).

A lively group talks in short lines, a few in a row, and a member whose phone was
offline sends what they wrote there all at once when it reconnects. So we allow a
burst of ten, then one a second, as Slack and Discord do: sixty a minute is more than
anyone types, and little enough that a spammer is slowed to where slow mode, a mute
and the queue can catch up. Retries of a message already saved are never counted.
"""

import math
import time

SEND_BURST = 10
SEND_PER_SECOND = 1.0


class TokenBucket:
    """A burst of `capacity`, then `rate` a second."""

    def __init__(self, capacity: float, rate: float):
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.updated = time.monotonic()

    def take(self) -> float:
        """Take one token: 0 when taken, otherwise the seconds until one is there."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class SendLimiter:
    """One bucket per member, in this process. Its whole interface is `wait(key)`, so
    the counters can move to the shared cache (for a limit across processes) without
    touching its callers."""

    FORGET_AFTER_SECONDS = 600
    MAX_KEYS = 10_000

    def __init__(self, burst: float = SEND_BURST, per_second: float = SEND_PER_SECOND):
        self.burst = burst
        self.per_second = per_second
        self.buckets: dict[object, TokenBucket] = {}

    def wait(self, key) -> float:
        """0 when `key` may send now (and it is counted), otherwise how many seconds to
        wait, rounded up to a tenth."""
        if len(self.buckets) > self.MAX_KEYS:  # forget members who have gone quiet
            cutoff = time.monotonic() - self.FORGET_AFTER_SECONDS
            self.buckets = {k: b for k, b in self.buckets.items() if b.updated > cutoff}
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = TokenBucket(self.burst, self.per_second)
        return math.ceil(bucket.take() * 10) / 10


sends = SendLimiter()
