"""Crisis language: the transparent phrase list in crisis_phrases.json, used in the
browser to show help while a member types, and on the server to alert the group's
leaders when such a post or message is sent.

Both sides read the same data the same way (static/js/crisis-prompt.js does exactly
this): ASCII letters are lowercased, the "normalise" steps run in order, and then any
pattern that matches anywhere means crisis. Patterns have no flags and ASCII word
boundaries, which Python (``re.ASCII``) and JavaScript (no ``u`` flag) agree on."""

import json
import re
from functools import cache, lru_cache
from pathlib import Path
from re import _constants as sre_constants
from re import _parser as sre_parser

from django.utils.html import json_script
from django.utils.safestring import SafeString

PHRASES_FILE = Path(__file__).with_name("crisis_phrases.json")
FLAGS = re.ASCII
# A part's name in a pattern: "{intent}". Quantifiers such as {2,3} never look like this.
PART_REFERENCE = re.compile(r"\{([a-z_]+)\}")
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# How many leading characters of a match index the patterns (see _start_index).
KEY_LENGTH = 3


@cache
def _data() -> dict:
    return json.loads(PHRASES_FILE.read_text(encoding="utf-8"))


def _expand(pattern: str, parts: dict[str, str]) -> str:
    for _round in range(5):  # parts may name parts; a few rounds reach the bottom
        expanded = PART_REFERENCE.sub(lambda match: parts[match[1]], pattern)
        if expanded == pattern:
            return expanded
        pattern = expanded
    raise ValueError(f"crisis phrase parts nest too deeply: {pattern[:80]}")


@cache
def phrase_list() -> list[dict]:
    """Each pattern with its parts written out, as both the server and the browser use it."""
    parts = _data().get("parts", {})
    return [
        {"category": entry["category"], "pattern": _expand(entry["pattern"], parts)}
        for entry in _data()["patterns"]
    ]


@cache
def normalise_steps() -> list[dict]:
    return list(_data().get("normalise", []))


def browser_data() -> dict:
    """What the page carries for crisis-prompt.js: the very list the server matches."""
    return {
        "normalise": [[step["find"], step["replace"]] for step in normalise_steps()],
        "patterns": [entry["pattern"] for entry in phrase_list()],
    }


@cache
def browser_script() -> SafeString:
    """browser_data as the page's <script type="application/json">, encoded once per
    process (it is the same for every page and about 28 KB)."""
    return json_script(browser_data(), "crisis-phrases")


@cache
def _compiled_steps() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(step["find"], FLAGS), step["replace"]) for step in normalise_steps()]


@cache
def _compiled() -> list[tuple[str, re.Pattern]]:
    return [(entry["category"], re.compile(entry["pattern"], FLAGS)) for entry in phrase_list()]


def normalise(text: str) -> str:
    text = text.translate(ASCII_LOWER)
    for find, replace in _compiled_steps():
        # Replacements hold no "\\" or "$" (tested), so both languages take them literally.
        text = find.sub(replace, text)
    return text


# --- matching fast -----------------------------------------------------------------
# Python's regular expressions try every pattern at every position of the text, which
# is slow for 50 patterns over a long post. Every match starts where its first two
# characters are one of a few known pairs (read from the pattern itself), so the
# server looks only at those places, and asks only the patterns that can start there.
# The verdict is the same as searching the whole text with every pattern (tested).


def _cat(heads: set[str], tails: set[str]) -> set[str]:
    return {(head + tail)[:KEY_LENGTH] for head in heads for tail in tails}


def _starts(items) -> set[str] | None:
    """Every way the first KEY_LENGTH characters of a match can read (None: unknown)."""
    out = {""}
    for op, av in items:
        if all(len(start) >= KEY_LENGTH for start in out):
            return out
        if op is sre_constants.LITERAL:
            found = {chr(av)}
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue
        elif op is sre_constants.SUBPATTERN:
            found = _starts(av[3])
        elif op is sre_constants.BRANCH:
            found = set()
            for alternative in av[1]:
                starts = _starts(alternative)
                if starts is None:
                    return None
                found |= starts
        elif op is sre_constants.IN:
            found = set()
            for member, value in av:
                if member is sre_constants.LITERAL:
                    found.add(chr(value))
                elif member is sre_constants.RANGE:
                    found |= {chr(code) for code in range(value[0], value[1] + 1)}
                else:
                    return None
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            least, most, body = av
            once = _starts(body)
            if once is None:
                return None
            found, power = set(), {""}
            for count in range(KEY_LENGTH + 1):
                if count >= least:
                    found |= power
                if count >= most:
                    break
                power = _cat(power, once)
            if most > KEY_LENGTH:
                found |= power
        else:
            return None
        if found is None:
            return None
        out = _cat(out, found)
    return out


@cache
def _start_index() -> tuple[re.Pattern | None, dict[str, list[int]], list[int]]:
    """Where matches can start: a finder for those places, the patterns each pair of
    characters can start, and the patterns whose start is unknown (searched in full)."""
    by_key: dict[str, list[int]] = {}
    everywhere = []
    for number, (_category, pattern) in enumerate(_compiled()):
        starts = _starts(sre_parser.parse(pattern.pattern, FLAGS))
        if starts is None or "" in starts:
            everywhere.append(number)
            continue
        for start in starts:
            by_key.setdefault(start, []).append(number)
    if not by_key:
        return None, by_key, everywhere
    # As a tree of characters: at each place the engine reads one character to decide,
    # instead of trying hundreds of alternatives.
    return re.compile(rf"\b(?={_tree(list(by_key))})", FLAGS), by_key, everywhere


def _tree(keys: list[str]) -> str:
    branches: dict[str, list[str]] = {}
    for key in keys:
        if key:
            branches.setdefault(key[0], []).append(key[1:])
    if not branches:
        return ""
    body = "|".join(re.escape(head) + _tree(tails) for head, tails in sorted(branches.items()))
    # A shorter key that ends here makes the rest optional: it is already a place to look.
    return f"(?:{body})" + ("?" if "" in keys else "")


def _reach(items) -> float:
    """How far past its start a pattern can read, lookaheads included (an upper bound)."""
    total = 0.0
    for op, av in items:
        if op in (sre_constants.AT,):
            continue
        if op is sre_constants.SUBPATTERN:
            total += _reach(av[3])
        elif op is sre_constants.BRANCH:
            total += max(_reach(alternative) for alternative in av[1])
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            most = av[1]
            total += float("inf") if most == sre_constants.MAXREPEAT else most * _reach(av[2])
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            total += _reach(av[1])
        else:
            total += 1
    return total


@cache
def _longest_reach() -> int | None:
    """How far any pattern can read from its start, when bounded: a match at a place
    then depends only on the character before it and that many after, so a run of
    the same words is looked at once."""
    reach = max(_reach(sre_parser.parse(pattern.pattern, FLAGS)) for _c, pattern in _compiled())
    return None if reach == float("inf") else int(reach)


@lru_cache(maxsize=1024)
def _together(numbers: frozenset[int]) -> re.Pattern:
    compiled = _compiled()
    return re.compile("|".join(compiled[n][1].pattern for n in sorted(numbers)), FLAGS)


def _matching(text: str, *, first_only: bool) -> set[int]:
    compiled = _compiled()
    finder, by_key, everywhere = _start_index()
    reach = _longest_reach()
    found: set[int] = set()
    for number in everywhere:
        if compiled[number][1].search(text):
            found.add(number)
            if first_only:
                return found
    if finder is None:
        return found
    seen: dict[tuple[bool, str], list[int]] = {}
    for place in finder.finditer(text):
        at = place.start()
        # One character before (for \b) and one past the reach (for a final \b).
        around = (at == 0, text[max(at - 1, 0) : at + reach + 1]) if reach is not None else None
        matched = seen.get(around) if around else None
        if matched is None:
            candidates = set(by_key.get(text[at : at + KEY_LENGTH], ()))
            candidates.update(by_key.get(text[at : at + 1], ()))
            matched = []
            # One engine call asks every candidate at once; which ones matched is only
            # worked out when one did, which ordinary talk never needs.
            if _together(frozenset(candidates)).match(text, at):
                matched = [n for n in sorted(candidates) if compiled[n][1].match(text, at)]
            if around:
                seen[around] = matched
        if matched:
            found.update(matched)
            if first_only:
                return found
    return found


def crisis_categories(text: str) -> list[str]:
    """The categories of crisis language in `text` (empty when there is none)."""
    numbers = _matching(normalise(text or ""), first_only=False)
    found = []
    for number, (category, _pattern) in enumerate(_compiled()):
        if number in numbers and category not in found:
            found.append(category)
    return found


def looks_like_crisis(text: str) -> bool:
    return bool(_matching(normalise(text or ""), first_only=True))
