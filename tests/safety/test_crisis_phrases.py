"""The crisis phrase list: what it must catch, and ordinary recovery talk it must not."""

import json
import re

import pytest

from safety.crisis import PHRASES_FILE, crisis_categories, phrase_list

CATCHES = [
    ("I want to die", "suicide"),
    ("i wanna die tonight", "suicide"),
    ("I'm going to kill myself", "suicide"),
    ("I keep thinking about suicide", "suicide"),
    ("honestly I feel suicidal", "suicide"),
    ("I wish I was dead", "suicide"),
    ("I don’t want to live anymore", "suicide"),  # a phone's curly apostrophe
    ("everyone would be better off without me", "suicide"),
    ("I want to end it all", "suicide"),
    ("I can't go on like this", "suicide"),
    ("I wrote a suicide note", "suicide"),
    ("I cut myself again last night", "self-harm"),
    ("been self-harming again", "self-harm"),
    ("I keep wanting to hurt myself", "self-harm"),
    ("I took all my pills", "overdose"),
    ("I just overdosed", "overdose"),
    ("I've OD'd before and I want to OD tonight", "overdose"),
    ("I swallowed the whole bottle of pills", "overdose"),
    ("SHE SAID I WANT TO DIE", "suicide"),
]
LEAVES_ALONE = [
    "I wanted to kill my cravings",
    "this job is killing me slowly",
    "I'm dying to see my kids this weekend",
    "that cake is to die for",
    "I lost my brother to suicide last year",
    "we went to the suicide prevention walk",
    "naloxone can reverse an overdose",
    "overdose awareness day is on Sunday",
    "I cut down on drinking",
    "I hurt my back at work",
    "I can go on a walk later",
    "I killed it at the meeting today",
    "365 days sober today!",
    "my sponsor told me to take it one day at a time",
    "I took my meds this morning",
    "cutting back on caffeine too",
]


@pytest.mark.parametrize(("text", "category"), CATCHES)
def test_crisis_language_is_caught(text, category):
    assert category in crisis_categories(text)


@pytest.mark.parametrize("text", LEAVES_ALONE)
def test_ordinary_recovery_talk_is_left_alone(text):
    assert crisis_categories(text) == []


def test_every_pattern_reads_the_same_in_javascript():
    """The browser compiles these with `new RegExp(pattern, "i")`: no Python-only
    syntax may creep in."""
    python_only = re.compile(r"\(\?P<|\(\?[aiLmsux]+\)|\\A|\\Z|\(\?#")
    for entry in phrase_list():
        assert not python_only.search(entry["pattern"]), entry["pattern"]
        re.compile(entry["pattern"])


def test_the_list_is_plain_json_that_explains_itself():
    data = json.loads(PHRASES_FILE.read_text(encoding="utf-8"))
    assert "about" in data
    assert {entry["category"] for entry in data["patterns"]} == {
        "suicide", "self-harm", "overdose",
    }  # fmt: skip
