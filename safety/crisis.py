"""Crisis language: the transparent phrase list in crisis_phrases.json, used in the
browser to show help while a member types, and on the server to alert the group's
leaders when such a post or message is sent."""

import json
import re
from functools import cache
from pathlib import Path

PHRASES_FILE = Path(__file__).with_name("crisis_phrases.json")


@cache
def phrase_list() -> list[dict]:
    return json.loads(PHRASES_FILE.read_text(encoding="utf-8"))["patterns"]


@cache
def _compiled() -> list[tuple[str, re.Pattern]]:
    return [
        (entry["category"], re.compile(entry["pattern"], re.IGNORECASE)) for entry in phrase_list()
    ]


def _normalise(text: str) -> str:
    # Curly apostrophes, as phones type them, read as straight ones.
    return text.replace("\u2019", "'").replace("\u2018", "'")


def crisis_categories(text: str) -> list[str]:
    """The categories of crisis language in `text` (empty when there is none)."""
    text = _normalise(text or "")
    found = []
    for category, pattern in _compiled():
        if category not in found and pattern.search(text):
            found.append(category)
    return found


def looks_like_crisis(text: str) -> bool:
    return bool(crisis_categories(text))
