"""The bell socket (/ws/bell/) every signed-in page opens, driven through the real
peersupport.asgi.application: it brings the unread count and each new notification
as it is made, urgent queue items to every leader of the group, and follows a loss of
access at once."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings

from groups.models import Group
from groups.services import sanctions
from peersupport.asgi import application
from tests.factories import Community, membership_of, report_post, signed_in
from tests.moderation.helpers import IN_MEMORY_LAYER

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY_LAYER


@pytest.fixture
def world(transactional_db):
    world = Community(visibility=Group.Visibility.HIDDEN)
    world.thread = world.start(world.member, title="Evenings", body="Evenings are hard.")
    return world


async def bell_of(user):
    client = await database_sync_to_async(signed_in)(user)
    name = django_settings.SESSION_COOKIE_NAME
    cookie = (b"cookie", f"{name}={client.cookies[name].value}".encode())
    socket = WebsocketCommunicator(application, "/ws/bell/", headers=[ORIGIN, cookie])
    connected, _ = await socket.connect(timeout=3)
    assert connected
    assert await socket.receive_json_from(timeout=3) == {"type": "bell", "count": 0}
    return socket


@pytest.mark.asyncio
async def test_a_reply_rings_the_authors_bell_with_the_count_and_what_happened(world):
    socket = await bell_of(world.member)

    await database_sync_to_async(world.reply)(world.thread, world.other, "Same for me.")

    frame = await socket.receive_json_from(timeout=3)
    assert frame["count"] == 1
    assert frame["item"]["message"].endswith("replied to your thread “Evenings”.")
    assert frame["item"]["urgent"] is False
    assert frame["item"]["link"].endswith("#post-2")
    await socket.disconnect()


@pytest.mark.asyncio
async def test_an_urgent_report_reaches_every_leader_of_the_group_and_no_member(world):
    post = await database_sync_to_async(world.reply)(world.thread, world.other, "I'm scared.")
    leader, owner, member = [
        await bell_of(who) for who in (world.leader, world.owner, world.newcomer)
    ]

    await database_sync_to_async(report_post)(post, world.member, "risk")

    for socket in (leader, owner):
        frame = await socket.receive_json_from(timeout=3)
        assert frame["item"]["urgent"] is True
        assert frame["item"]["message"].startswith("Urgent: someone in")
        assert "/moderation/items/" in frame["item"]["link"]
    assert await member.receive_nothing(timeout=0.5)
    for socket in (leader, owner, member):
        await socket.disconnect()


def remove(world):
    sanctions.sanction_remove(acting_user=world.leader,
                              membership=membership_of(world.group, world.member),
                              reason="Taking a break.")  # fmt: skip


@pytest.mark.asyncio
async def test_losing_access_to_a_hidden_group_takes_its_notifications_off_the_bell(world):
    await database_sync_to_async(world.reply)(world.thread, world.other, "Same for me.")
    client = await database_sync_to_async(signed_in)(world.member)
    name = django_settings.SESSION_COOKIE_NAME
    cookie = (b"cookie", f"{name}={client.cookies[name].value}".encode())
    socket = WebsocketCommunicator(application, "/ws/bell/", headers=[ORIGIN, cookie])
    assert (await socket.connect(timeout=3))[0]
    assert (await socket.receive_json_from(timeout=3))["count"] == 1

    await database_sync_to_async(remove)(world)

    counts = set()
    for _ in range(2):  # the removal's own notification, and the access change
        counts.add((await socket.receive_json_from(timeout=3))["count"])
    assert counts <= {1}  # the reply is gone; the removal notice is what remains
    await socket.disconnect()


@pytest.mark.asyncio
async def test_the_bell_only_listens(world):
    socket = await bell_of(world.member)
    await socket.send_json_to({"type": "send", "body": "hello"})
    assert (await socket.receive_json_from(timeout=3))["type"] == "error"
    await socket.disconnect()


@pytest.mark.asyncio
async def test_opening_one_notification_or_marking_all_read_lowers_the_count_on_open_pages(world):
    from django.urls import reverse

    from groups.models import Notification

    socket = await bell_of(world.member)
    await database_sync_to_async(world.reply)(world.thread, world.other, "Same for me.")
    await database_sync_to_async(world.reply)(world.thread, world.leader, "And me.")
    assert (await socket.receive_json_from(timeout=3))["count"] == 1
    assert (await socket.receive_json_from(timeout=3))["count"] == 2

    def open_first():
        client = signed_in(world.member)
        first = Notification.objects.filter(user=world.member).order_by("pk").first()
        assert client.get(reverse("forum:notification_open", args=[first.pk])).status_code == 302

    def mark_all():
        signed_in(world.member).post(reverse("forum:notifications_read_all"))

    await database_sync_to_async(open_first)()
    assert await socket.receive_json_from(timeout=3) == {"type": "bell", "count": 1}
    await database_sync_to_async(mark_all)()
    assert await socket.receive_json_from(timeout=3) == {"type": "bell", "count": 0}
    await socket.disconnect()
