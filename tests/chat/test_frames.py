"""Every field of every frame a chat client may send, given every wrong kind of value:
the sender gets an error frame, nothing is stored or broadcast, and the socket stays
open. (A delete whose reason was a number or an object used to close it with 1011.)"""

import json
import uuid

import pytest
import pytest_asyncio

from chat.frames import FRAMES
from tests.chat.test_socket import IN_MEMORY_LAYER, Sockets, community, rows

# A good frame of each type; each case below spoils one field of one of them.
GOOD = {
    "send": {"client_msg_id": "3f0c9f5e-0a4b-4c55-9d7e-2b9a1f0e6c11", "body": "hi"},
    "sync": {"after": 0},
    "typing": {},
    "delete": {"id": 1, "reason": "Off topic."},
    "report": {"id": 1, "reason": "spam", "note": "Again."},
    "ping": {},
}
NOT_TEXT = {"a number": 42, "true": True, "a list": ["hi"], "an object": {"text": "hi"}}
NOT_A_WHOLE_NUMBER = {
    "text": "1", "true": True, "a fraction": 1.5, "a list": [1], "an object": {"id": 1},
    "negative": -1, "beyond a bigint": 2**63, "null": None,
}  # fmt: skip
# field -> the wrong values it is tried with ("missing" leaves it out)
SPOILED = {
    ("send", "client_msg_id"): {**NOT_TEXT, "null": None, "missing": ...},
    ("send", "body"): {**NOT_TEXT, "null": None, "missing": ...},
    ("sync", "after"): NOT_A_WHOLE_NUMBER,
    ("delete", "id"): {**NOT_A_WHOLE_NUMBER, "missing": ...},
    ("delete", "reason"): NOT_TEXT,
    ("report", "id"): {**NOT_A_WHOLE_NUMBER, "missing": ...},
    ("report", "reason"): {**NOT_TEXT, "null": None, "missing": ...},
    ("report", "note"): NOT_TEXT,
}
CASES = [
    (frame_type, field, label, value)
    for (frame_type, field), values in SPOILED.items()
    for label, value in values.items()
]


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY_LAYER


@pytest_asyncio.fixture
async def sockets():
    opened = Sockets()
    yield opened
    await opened.close_all()


def test_the_table_covers_every_field_of_every_frame_type():
    assert set(GOOD) == set(FRAMES)
    every_field = {(kind, name) for kind, fields in FRAMES.items() for name in fields}
    assert set(SPOILED) == every_field


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("frame_type", sorted({frame_type for frame_type, *_rest in CASES}))
async def test_a_spoiled_field_gets_an_error_frame_and_the_socket_stays_open(
    in_memory_layer, sockets, frame_type
):
    place = await community()
    leader = await sockets.open(place.leader, place.group)  # may delete and report
    for kind, field, label, value in CASES:
        if kind != frame_type:
            continue
        frame = {"type": frame_type, **GOOD[frame_type]}
        if value is ...:
            del frame[field]
        else:
            frame[field] = value

        await leader.send_text(json.dumps(frame))

        error = await leader.expect("error")
        where = f"{frame_type}.{field} {label}: {error}"
        assert error["code"] == "invalid", where
        assert f"“{field}”" in error["message"], where
        if frame_type == "send" and field != "client_msg_id":
            assert error["client_msg_id"] == GOOD["send"]["client_msg_id"], where  # draft kept
        assert await leader.is_alive(), where
    assert await rows() == []
    ack = await leader.say("Still here.", str(uuid.uuid4()))
    assert ack["seq"] == 1
