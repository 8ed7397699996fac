"""Counting a member's actions in the shared cache, so a limit holds across every
server process: fixed windows, counted with the cache's add and incr."""

import time

from django.core.cache import cache


def take(name: str, *, limit: int, seconds: int) -> bool:
    """Count one more `name` in the current window; False once past the limit."""
    key = f"limit:{name}:{int(time.time() // seconds)}"
    if cache.add(key, 1, timeout=seconds * 2):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the window's count expired between add and incr
        cache.set(key, 1, timeout=seconds * 2)
        return True
