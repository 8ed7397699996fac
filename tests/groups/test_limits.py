"""The one counter every limit shares (groups/limits.py), on the suite's real Redis, and
what members see when it refuses them or when its Redis is down (a redis-server of the
test's own, tests/faults.py, which is stopped; the shared one never is)."""

import asyncio
import dataclasses
import html
import threading
import time
import uuid

import pytest
from django.test import override_settings

from chat.models import ChatMessage
from forum.models import Post, Thread
from groups import limits
from groups.models import ReviewItem
from tests.factories import Community, signed_in
from tests.faults import own_redis  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

SLOW = limits.Limit("test-slow", burst=3, every=60)


def who() -> str:
    """A member nobody else counts: keys are per limit and member."""
    return f"test-{uuid.uuid4().hex}"


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_a_member_gets_the_burst_then_is_told_how_long_to_wait():
    member, other = who(), who()

    assert [limits.wait(SLOW, member) for _ in range(SLOW.burst)] == [0.0] * SLOW.burst
    retry_after = limits.wait(SLOW, member)

    assert 59 < retry_after <= 60
    assert limits.wait(SLOW, other) == 0.0, "one member's count is theirs alone"


def test_the_allowance_comes_back_at_the_stated_rate():
    quick = limits.Limit("test-quick", burst=2, every=0.3)
    member = who()
    assert limits.wait(quick, member) == limits.wait(quick, member) == 0.0
    retry_after = limits.wait(quick, member)
    assert 0 < retry_after <= 0.3

    time.sleep(retry_after)

    assert limits.wait(quick, member) == 0.0
    assert limits.wait(quick, member) > 0, "a wait brings back one, not the whole burst"


def test_the_socket_path_and_the_page_path_take_from_the_same_count():
    member = who()
    assert limits.wait(SLOW, member) == 0.0

    async def from_a_socket():
        return [await limits.await_wait(SLOW, member) for _ in range(SLOW.burst)]

    taken = asyncio.run(from_a_socket())

    assert taken[: SLOW.burst - 1] == [0.0] * (SLOW.burst - 1)
    assert taken[-1] > 0
    assert limits.wait(SLOW, member) > 0


def test_many_threads_at_once_never_get_more_than_the_burst():
    """The check and the count are one Lua script: no two callers both take the last
    place (each thread stands for a server process)."""
    member = who()
    results: list[float] = []
    start = threading.Barrier(8)

    def hammer():
        start.wait()
        for _ in range(5):
            results.append(limits.wait(SLOW, member))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 40
    assert results.count(0.0) == SLOW.burst


def test_refusals_from_services_say_when_to_try_again(monkeypatch):
    place = Community()
    monkeypatch.setattr(limits, "THREAD_START", dataclasses.replace(limits.THREAD_START, burst=1))
    place.start(place.member, title="The one I meant to start")

    with pytest.raises(limits.RateLimited) as refused:
        place.start(place.member, title="And one more")

    assert refused.value.code == "rate_limited"
    assert 0 < refused.value.retry_after <= limits.THREAD_START.every
    assert not Thread.objects.filter(title="And one more").exists()


def test_a_refused_report_keeps_the_form_and_the_note(monkeypatch):
    place = Community()
    thread = place.start(place.other, title="A thread", body="Words.")
    post = thread.posts.get()
    monkeypatch.setattr(limits, "REPORT", dataclasses.replace(limits.REPORT, burst=1))
    limits.take(limits.REPORT, place.member.pk, "used up")

    response = signed_in(place.member).post(
        place.url("forum:report", post.pk), {"reason": "harassment", "note": "Said unkind things."}
    )

    assert response.status_code == 200
    assert "You've sent a lot of reports in a short time." in text_of(response)
    assert "Said unkind things.</textarea>" in response.content.decode()
    assert not ReviewItem.objects.filter(kind=ReviewItem.Kind.REPORT).exists()


# The store down: Redis of our own, stopped.


@pytest.fixture
def store_down(own_redis):  # noqa: F811 - the fixture imported above
    with override_settings(REDIS_URL=own_redis.url):
        own_redis.stop()
        yield


def test_with_the_store_down_a_write_is_refused_for_now(store_down):
    with pytest.raises(limits.StoreUnavailable) as refused:
        limits.wait(limits.REPLY, who())
    assert refused.value.code == "unavailable"
    assert refused.value.retry_after > 0

    with pytest.raises(limits.StoreUnavailable):
        asyncio.run(limits.await_wait(limits.CHAT_SEND, who()))


def test_with_the_store_down_a_reply_is_refused_kindly_the_draft_kept_and_reading_works(
    store_down,
):
    place = Community()
    with override_settings(REDIS_URL=""):  # set up while counting in this process
        thread = place.start(place.other, title="Reading still works", body="First words.")
    client = signed_in(place.member)

    page = client.get(place.thread_url(thread))
    response = client.post(place.url("forum:reply", thread.pk), {"body": "Please keep this."})

    assert page.status_code == 200
    assert "First words." in page.content.decode()
    assert response.status_code in (200, 400)
    assert "What you wrote is still here" in text_of(response)
    assert "Please keep this.</textarea>" in response.content.decode()
    assert not Post.objects.filter(body="Please keep this.").exists()


def test_with_the_store_down_a_request_for_support_still_reaches_the_leaders(store_down):
    place = Community()

    response = signed_in(place.member).post(
        place.url("moderation:support"), {"message": "I'm struggling tonight."}
    )

    assert response.status_code == 200
    assert ReviewItem.objects.filter(kind=ReviewItem.Kind.SUPPORT).count() == 1


def test_sending_chat_without_javascript_takes_from_the_same_count_as_the_socket(monkeypatch):
    place = Community()
    monkeypatch.setattr(limits, "CHAT_SEND", dataclasses.replace(limits.CHAT_SEND, every=60))
    for _ in range(limits.CHAT_SEND.burst):
        limits.take(limits.CHAT_SEND, place.member.pk, "used up")

    response = signed_in(place.member).post(
        place.url("chat:room"), {"body": "Typed without JavaScript.", "client_msg_id": uuid.uuid4()}
    )

    assert response.status_code == 200
    assert "You're sending very quickly." in text_of(response)
    assert "Typed without JavaScript.</textarea>" in response.content.decode()
    assert not ChatMessage.objects.filter(body="Typed without JavaScript.").exists()
