"""The frames a chat client may send, field by field: one table, checked before any
frame reaches its handler, so a malformed field gets an error frame and the socket
stays open (a wrong type used to reach the database or a string method and close the
socket with 1011)."""

from dataclasses import dataclass

# Ids and sequence numbers are Postgres bigints.
LARGEST_ID = 2**63 - 1
# The largest frame the chat reads. A message of MESSAGE_MAX_LENGTH characters fits
# with room to spare (6 bytes a character at worst, escaped); the page hands this to
# chat.js. The ASGI servers we run (scripts/serve, tests/servers.py) accept frames up
# to WEBSOCKET_SERVER_MAX_BYTES, so a bigger frame still reaches us and is answered
# with an error frame, never a close.
MAX_FRAME_BYTES = 16 * 1024
WEBSOCKET_SERVER_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Field:
    kind: type
    required: bool = True
    nullable: bool = False  # null means "not given"

    def problem(self, name: str, value) -> str | None:
        if value is None and self.nullable:
            return None
        if self.kind is int:
            if not isinstance(value, int) or isinstance(value, bool):
                return f"“{name}” must be a whole number."
            if not 0 <= value <= LARGEST_ID:
                return f"“{name}” is out of range."
            return None
        if not isinstance(value, self.kind):
            return f"“{name}” must be text."
        return None


FRAMES: dict[str, dict[str, Field]] = {
    "send": {"client_msg_id": Field(str), "body": Field(str)},
    "sync": {"after": Field(int, required=False)},
    "typing": {},
    "delete": {"id": Field(int), "reason": Field(str, required=False, nullable=True)},
    "report": {
        "id": Field(int),
        "reason": Field(str),
        "note": Field(str, required=False, nullable=True),
    },
    "ping": {},
}


def frame_problem(content: dict) -> str | None:
    """What is wrong with a frame of a known type, in a sentence, or None."""
    for name, field in FRAMES[content["type"]].items():
        if name not in content:
            if field.required:
                return f"“{name}” is missing."
            continue
        problem = field.problem(name, content[name])
        if problem:
            return problem
    return None
