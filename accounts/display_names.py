"""The rules for display names, the pseudonyms members are known by.

A name is stored as typed (after NFKC normalisation) and also as a *key*: its
confusable skeleton, case-folded, with separators removed. Two names with the same
key look alike to a person ("Sam", "sam", "S a m", and "Sam" typed with Cyrillic
letters), so the key is unique in the database and is what reserved names are
compared against.
"""

import json
import unicodedata
from functools import cache
from pathlib import Path

import confusable_homoglyphs
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 3
MAX_LENGTH = 30
ALLOWED_PUNCTUATION = frozenset(" _-.'")
SEPARATORS = frozenset(" _-.'")
MAX_COMBINING_MARKS_IN_A_ROW = 2

# Names that would let someone pass as the platform or its moderators.
RESERVED_NAMES = (
    "admin", "administrator", "root", "system", "moderator", "mod", "mods", "leader",
    "peer leader", "staff", "support", "help", "helpline", "crisis", "team", "official",
    "peersupport", "peer support", "anonymous", "former member", "deleted", "null", "none",
    "everyone", "here",
)  # fmt: skip
# These may not appear anywhere inside a name, however it is dressed up.
RESERVED_FRAGMENTS = ("peersupport", "moderator", "administrator")


@cache
def _confusable_representatives() -> dict[str, str]:
    """Each confusable character mapped to one representative of its class (the
    smallest code point), so that every look-alike maps to the same character."""
    data_file = Path(confusable_homoglyphs.__file__).parent / "confusables.json"
    table = json.loads(data_file.read_text(encoding="utf-8"))
    parent: dict[str, str] = {}

    def find(char: str) -> str:
        root = char
        while parent.get(root, root) != root:
            root = parent[root]
        parent[char] = root
        return root

    def union(a: str, b: str) -> None:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            low, high = sorted((root_a, root_b))
            parent[high] = low

    for char, homoglyphs in table.items():
        for glyph in homoglyphs:
            # Entries wrapped in direction marks are single letters too.
            other = glyph["c"].strip("\u200e\u200f")
            if len(char) == 1 and len(other) == 1:
                union(char, other)
    # Case is one more way to look alike: "I" (capital i) joins "i", and "l" too.
    for char in list(parent):
        for variant in (char.lower(), char.upper()):
            if len(variant) == 1:
                union(char, variant)
    return {char: find(char) for char in parent}


def normalize(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()


def _skeleton(text: str) -> str:
    table = _confusable_representatives()
    return "".join(table.get(char, char) for char in text)


def name_key(name: str) -> str:
    """What makes two names look the same to a reader: "PAUL", "Paul", "PauI" and
    "Pa ul" share a key."""
    text = "".join(char for char in normalize(name).casefold() if char not in SEPARATORS)
    return _skeleton(text)


@cache
def _reserved_keys() -> frozenset[str]:
    return frozenset(name_key(name) for name in RESERVED_NAMES)


@cache
def _reserved_fragment_keys() -> tuple[str, ...]:
    return tuple(name_key(fragment) for fragment in RESERVED_FRAGMENTS)


def _is_invisible_or_control(char: str) -> bool:
    category = unicodedata.category(char)
    return category in {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"} or (
        category == "Zs" and char != " "
    )


def validate_display_name(raw: str) -> str:
    """Return the name as it will be stored, or raise ValidationError explaining why
    it cannot be used. Does not check whether someone else has it (see the form)."""
    name = normalize(raw)
    if any(_is_invisible_or_control(char) for char in name):
        raise ValidationError(
            _(
                "Your name contains an invisible or control character (for example a "
                "zero-width space or a text-direction mark). Please type it again "
                "without it."
            ),
            code="invisible_character",
        )
    if len(name) < MIN_LENGTH:
        raise ValidationError(
            _("Please choose a name of at least %(min)d characters.") % {"min": MIN_LENGTH},
            code="too_short",
        )
    if len(name) > MAX_LENGTH:
        raise ValidationError(
            _("Please choose a name of at most %(max)d characters (this one has %(n)d).")
            % {"max": MAX_LENGTH, "n": len(name)},
            code="too_long",
        )
    if "  " in name:
        raise ValidationError(_("Please use single spaces between words."), code="double_space")
    marks_in_a_row = 0
    for char in name:
        category = unicodedata.category(char)
        if category.startswith("M"):
            marks_in_a_row += 1
            if marks_in_a_row > MAX_COMBINING_MARKS_IN_A_ROW:
                raise ValidationError(
                    _("Your name has too many accent marks stacked on one letter."),
                    code="stacked_marks",
                )
            continue
        marks_in_a_row = 0
        if not (category[0] in "LN" or char in ALLOWED_PUNCTUATION):
            raise ValidationError(
                _(
                    "Names can use letters, numbers, spaces and the characters _ - . ' "
                    "only. “%(char)s” is not one of them."
                )
                % {"char": char},
                code="character_not_allowed",
            )
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise ValidationError(
            _("Please include at least one letter in your name."), code="no_letter"
        )
    key = name_key(name)
    if key in _reserved_keys() or any(fragment in key for fragment in _reserved_fragment_keys()):
        raise ValidationError(
            _(
                "That name is kept for the site and its moderators, so that nobody can "
                "be mistaken for them. Please choose another."
            ),
            code="reserved",
        )
    return name
