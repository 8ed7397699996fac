"""What every websocket of ours shares: the close codes (pages hand them to their
scripts, so the browser never keeps a copy), the member's own channel, and the pool
of threads that socket database work runs in."""

from functools import partial

from channels.db import DatabaseSyncToAsync

UNAUTHENTICATED = 4401
FORBIDDEN = 4403
CLOSE_CODES = {"unauthenticated": UNAUTHENTICATED, "forbidden": FORBIDDEN}

# Database work from sockets runs in a pool of threads, not one shared thread, so one
# room's sends don't queue behind another's; each thread keeps its own connection.
database_sync_to_async = partial(DatabaseSyncToAsync, thread_sensitive=False)


def user_channel(user_id: int) -> str:
    """Every socket of one member listens here for access changes and logouts."""
    return f"user.{user_id}"


async def close_if_session_ended(consumer, event) -> None:
    """The member logged out: a socket opened with that session closes."""
    session = consumer.scope.get("session")
    key = event.get("session_key")
    if session is None or not key or session.session_key == key:
        await consumer.close(code=UNAUTHENTICATED)
