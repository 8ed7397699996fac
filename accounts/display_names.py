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


# Within ASCII, the look-alikes that matter most: capital I, small l, 1 and | are
# one stroke; zero and O are one ring.
ASCII_LOOKALIKES = {"l": "i", "1": "i", "|": "i", "0": "o"}


@cache
def _latin_prototypes() -> dict[str, str]:
    """Each non-ASCII character that looks like an ASCII letter or digit, mapped to
    that letter or digit (Cyrillic a to a, Greek omicron to o). A direct mapping,
    not a transitive closure: chaining look-alikes would merge unrelated letters."""
    data_file = Path(confusable_homoglyphs.__file__).parent / "confusables.json"
    table = json.loads(data_file.read_text(encoding="utf-8"))
    prototypes = {}
    for char, homoglyphs in table.items():
        if len(char) != 1 or char.isascii():
            continue
        ascii_twins = sorted(
            {glyph["c"] for glyph in homoglyphs if len(glyph["c"]) == 1
             and glyph["c"].isascii() and glyph["c"].isalnum()},
            key=lambda twin: (twin.isdigit(), twin),
        )  # fmt: skip
        if ascii_twins:
            prototypes[char] = ascii_twins[0]
    return prototypes


def normalize(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()


def name_key(name: str) -> str:
    """What makes two names look the same to a reader: "Paul", "PAUL", "PauI",
    "Pa ul", "Paul" spelt with a Cyrillic a, and "Páúl" with accents stacked on its
    letters share a key. (Marks on other scripts' letters are kept: in Hindi or Thai
    they are part of the word.)"""
    prototypes = _latin_prototypes()
    key = []
    for char in unicodedata.normalize("NFD", normalize(name).casefold()):
        if char in SEPARATORS:
            continue
        if unicodedata.category(char) == "Mn" and key and key[-1].isascii():
            continue  # an accent on a Latin-looking letter
        char = prototypes.get(char, char).casefold()
        key.append(ASCII_LOOKALIKES.get(char, char))
    return unicodedata.normalize("NFC", "".join(key))


def display_width(name: str) -> int:
    """Characters as a reader sees them: a Chinese, Japanese or Korean character is a
    whole syllable or word and counts twice, so two of them make a name."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in name)


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
    if display_width(name) < MIN_LENGTH:
        raise ValidationError(
            _("Please choose a name of at least %(min)d characters (or 2 in Chinese, Japanese "
              "or Korean).") % {"min": MIN_LENGTH},
            code="too_short",
        )  # fmt: skip
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
