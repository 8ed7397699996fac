"""The moderation queue's doorbell (/ws/moderation/), driven through the real
peersupport.asgi.application: origin check, session authentication and routing all
run. Sockets are opened with the session cookie of a logged-in django.test.Client.

Database work happens in sync fixtures or through database_sync_to_async, so the
tests need transaction=True: the consumer reads on its own connection."""

import asyncio
import copy
import uuid

import pytest
from allauth.mfa.base.internal.flows import delete_and_cleanup
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import transaction
from django.test import RequestFactory

from groups.models import Membership
from groups.services import memberships as membership_services
from peersupport.asgi import application
from tests.factories import Community, make_staff, membership_of, report_post, signed_in
from tests.moderation.helpers import IN_MEMORY_LAYER

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/moderation/"
ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY_LAYER


@pytest.fixture
def redis_layer(settings):
    """The project's own Redis layer settings, with a prefix no other run shares."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    assert layers["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer", (
        "Redis is not answering at REDIS_URL; these tests need it"
    )
    layers["default"]["CONFIG"]["prefix"] = f"test-moderation-{uuid.uuid4().hex}"
    settings.CHANNEL_LAYERS = layers


def community_with_a_post() -> Community:
    world = Community()
    thread = world.start(world.owner, title="A hard week", body="How is everyone doing?")
    world.post = world.reply(thread, world.member, "Words someone will report.")
    world.admin = make_staff(label="Admin")
    return world


@pytest.fixture
def world(transactional_db):
    return community_with_a_post()


@pytest.fixture
def elsewhere(transactional_db):
    return community_with_a_post()


def cookie_header(client) -> tuple[bytes, bytes]:
    name = django_settings.SESSION_COOKIE_NAME
    return (b"cookie", f"{name}={client.cookies[name].value}".encode())


async def open_socket(user=None, *, client=None, origin=ORIGIN):
    """(communicator, connected, close code or subprotocol)."""
    headers = [origin] if origin else []
    if user is not None or client is not None:
        client = client or await database_sync_to_async(signed_in)(user)
        headers.append(cookie_header(client))
    socket = WebsocketCommunicator(application, PATH, headers=headers)
    connected, detail = await socket.connect(timeout=3)
    return socket, connected, detail


async def report(post, reporter, reason):
    return await database_sync_to_async(report_post)(post, reporter, reason)


ROLES = [
    ("anonymous", False, 4401),
    ("outsider", False, 4403),
    ("newcomer", False, 4403),
    ("member", False, 4403),
    ("muted", False, 4403),
    ("banned", False, 4403),
    ("leader", True, None),
    ("owner", True, None),
    ("admin", True, None),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("who, connects, code", ROLES)
async def test_who_may_open_the_queue_socket(in_memory_layer, world, who, connects, code):
    user = None if who == "anonymous" else getattr(world, who)

    socket, connected, detail = await open_socket(user)

    assert connected is connects
    if connects:
        await socket.disconnect()
    else:
        assert detail == code


@pytest.mark.asyncio
@pytest.mark.parametrize("origin", [(b"origin", b"http://evil.example"), None])
async def test_a_socket_from_another_origin_or_none_is_refused(in_memory_layer, world, origin):
    _socket, connected, _detail = await open_socket(world.leader, origin=origin)

    assert connected is False


@pytest.mark.asyncio
async def test_a_leader_hears_an_urgent_report_in_their_group_and_no_one_else_does(
    in_memory_layer, world, elsewhere
):
    mine, mine_ok, _ = await open_socket(world.leader)
    theirs, theirs_ok, _ = await open_socket(elsewhere.leader)
    assert mine_ok and theirs_ok

    made = await report(world.post, world.other, "risk")

    assert await mine.receive_json_from(timeout=3) == {
        "type": "queue.changed",
        "item": made.review_item_id,
        "urgent": True,
    }
    assert await mine.receive_nothing(timeout=0.3)
    assert await theirs.receive_nothing(timeout=0.5)
    await mine.disconnect()
    await theirs.disconnect()


@pytest.mark.asyncio
async def test_admins_hear_every_groups_items_and_ordinary_reports_are_not_urgent(
    in_memory_layer, world, elsewhere
):
    admin, ok, _ = await open_socket(world.admin)
    assert ok

    made = await report(elsewhere.post, elsewhere.other, "spam")

    assert await admin.receive_json_from(timeout=3) == {
        "type": "queue.changed",
        "item": made.review_item_id,
        "urgent": False,
    }
    await admin.disconnect()


@pytest.mark.asyncio
async def test_the_socket_only_listens(in_memory_layer, world):
    socket, ok, _ = await open_socket(world.leader)
    assert ok

    await socket.send_json_to({"type": "item.act", "item": 1, "action": "ban"})

    assert await socket.receive_json_from(timeout=3) == {
        "type": "error",
        "message": "This socket only listens.",
    }
    await socket.disconnect()


@pytest.mark.asyncio
async def test_a_demoted_leaders_socket_closes(in_memory_layer, world):
    socket, ok, _ = await open_socket(world.leader)
    assert ok
    leadership = await database_sync_to_async(membership_of)(world.group, world.leader)

    await database_sync_to_async(membership_services.leader_remove)(
        acting_user=world.owner, membership=leadership
    )

    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


@pytest.mark.asyncio
async def test_an_admins_socket_closes_when_they_remove_two_factor(in_memory_layer, world):
    socket, ok, _ = await open_socket(world.admin)
    assert ok

    @database_sync_to_async
    def remove_two_factor():
        request = RequestFactory().post("/accounts/2fa/totp/deactivate/")
        request.user = world.admin
        with transaction.atomic():  # allauth's own flow, as its page runs it
            delete_and_cleanup(request, world.admin.authenticator_set.get())

    await remove_two_factor()

    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


@pytest.mark.asyncio
async def test_the_socket_checks_again_on_each_access_change(in_memory_layer, world):
    socket, ok, _ = await open_socket(world.leader)
    assert ok
    layer = get_channel_layer()
    user_channel = f"user.{world.leader.pk}"

    # Still a leader: the socket stays open and keeps ringing.
    await layer.group_send(user_channel, {"type": "access.changed"})
    assert await socket.receive_nothing(timeout=0.3)

    # No longer a leader (changed behind the services' back): the next check closes it.
    await database_sync_to_async(
        Membership.objects.filter(user=world.leader, group=world.group).update
    )(role=Membership.Role.MEMBER)
    assert await socket.receive_nothing(timeout=0.3)
    await layer.group_send(user_channel, {"type": "access.changed"})

    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


@pytest.mark.asyncio
async def test_logging_out_closes_the_queue_socket_opened_with_that_session(in_memory_layer, world):
    client = await database_sync_to_async(signed_in)(world.leader)
    socket, ok, _ = await open_socket(client=client)
    assert ok

    await database_sync_to_async(client.logout)()

    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}


@pytest.mark.asyncio
async def test_the_doorbell_rings_through_redis_even_after_a_quiet_spell(redis_layer, world):
    layer = get_channel_layer()
    try:
        mine, ok, _ = await open_socket(world.leader)
        assert ok
        # Longer than redis-py's default socket timeout: an idle consumer must survive it.
        await asyncio.sleep(6)

        made = await report(world.post, world.other, "risk")

        assert await mine.receive_json_from(timeout=5) == {
            "type": "queue.changed",
            "item": made.review_item_id,
            "urgent": True,
        }
        await mine.disconnect()
    finally:
        await layer.flush()
        await layer.close_pools()
