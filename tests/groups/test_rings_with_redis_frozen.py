"""Services ring sockets after commit (a ban, a report, a logout, a chat notice). With
Redis frozen, that ring must give up within CHANNEL_LAYER_TIMEOUT instead of holding
the page (and its worker) for as long as Redis stays frozen. A redis-server of the
test's own (tests/faults.py) is frozen with SIGSTOP and always resumed."""

import threading
import time

import pytest

from chat import services as chat_services
from groups.services import access, queue
from tests.faults import RedisServer

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

TIMEOUT = 1
# More than the layer's timeout, far less than "forever".
GIVES_UP_WITHIN = 6.0


@pytest.fixture
def frozen_layer(settings, tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    settings.CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": server.url, "socket_timeout": None}],
                   "prefix": "frozen-test"},
    }}  # fmt: skip
    settings.CHANNEL_LAYER_TIMEOUT = TIMEOUT
    try:
        with server.frozen():
            yield server
    finally:
        server.stop()


def takes(ring) -> float:
    """Seconds the ring held its caller; fails if it is still holding on."""
    started = time.monotonic()
    caller = threading.Thread(target=ring, daemon=True)
    caller.start()
    caller.join(timeout=GIVES_UP_WITHIN)
    assert not caller.is_alive(), "the ring is still waiting for the frozen Redis"
    return time.monotonic() - started


@pytest.mark.parametrize(
    "ring",
    [
        lambda: access.session_ended(1, "a-session"),
        lambda: chat_services.broadcast(1, {"type": "chat.message", "message": {}}),
        lambda: queue.ring(type("Item", (), {"pk": 1, "group_id": 1, "urgency": 0})()),
    ],
    ids=["logout", "chat", "queue"],
)
def test_a_ring_gives_up_on_a_frozen_redis(frozen_layer, ring, django_capture_on_commit_callbacks):
    def after_commit():
        with django_capture_on_commit_callbacks(execute=True):
            ring()

    assert takes(after_commit) < GIVES_UP_WITHIN
