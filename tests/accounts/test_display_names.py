import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts import display_names
from accounts.display_names import name_key, validate_display_name

BIDI_AND_ZERO_WIDTH = [
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner
    "\u2060",  # word joiner
    "\ufeff",  # zero width no-break space
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202a",  # left-to-right embedding
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",  # right-to-left override
    "\u2066",  # isolates
    "\u2067",
    "\u2068",
    "\u2069",
    "\u00ad",  # soft hyphen
]


def rejection_code(name: str) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_display_name(name)
    return caught.value.code


@pytest.mark.parametrize(
    "name",
    ["Sam", "Quiet River", "José-María", "O'Neill", "step_by.step", "Ольга", "美咲さん", "Day 365"],
)
def test_ordinary_names_in_any_script_are_accepted(name):
    assert validate_display_name(name) == unicodedata.normalize("NFKC", name)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ab", "too_short"),
        ("   ab   ", "too_short"),
        ("x" * 31, "too_long"),
        ("two  spaces", "double_space"),
        ("hello<script>", "character_not_allowed"),
        ("call me 📞", "character_not_allowed"),
        ("12345", "no_letter"),
        ("a\u0301\u0301\u0301\u0301", "stacked_marks"),
        ("tab\there", "invisible_character"),
        ("null\x00byte", "invisible_character"),
    ],
)
def test_bad_names_are_rejected_with_their_reason(name, code):
    assert rejection_code(name) == code


@pytest.mark.parametrize("control", BIDI_AND_ZERO_WIDTH)
def test_bidi_controls_and_zero_width_characters_are_rejected(control):
    assert rejection_code(f"Sam{control}Jones") == "invisible_character"


@pytest.mark.parametrize(
    "name",
    ["admin", "Admin", "ADMIN", "ad-min", "Moderator", "m o d", "Peer Support", "staff",
     "the peersupport team", "chief_moderator", "Administrator 2"],
)  # fmt: skip
def test_reserved_names_and_dressed_up_versions_are_rejected(name):
    assert rejection_code(name) == "reserved"


@pytest.mark.parametrize(
    "name",
    [
        "\u0430dmin",  # Cyrillic а
        "\u0430dm\u0456n",  # Cyrillic а and і
        "\uff41\uff44\uff4d\uff49\uff4e",  # fullwidth, folded by NFKC
        "m\u043ed",  # Cyrillic о
    ],
)
def test_reserved_names_spelt_with_look_alike_letters_are_rejected(name):
    assert rejection_code(name) == "reserved"


def test_ordinary_words_containing_short_reserved_words_are_allowed():
    for name in ["Modesty", "Badminton fan", "Allison", "Helpful Hands", "Teamwork"]:
        assert validate_display_name(name) == name


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Sam Jones", "sam jones"),
        ("Sam Jones", "SamJones"),
        ("Sam Jones", "sam_jones"),
        ("Sam", "\u0405\u0430m"),  # Cyrillic Ѕ and а
        ("Paul", "PauI"),  # capital i for small L
        ("Paul", "PAUL"),
        ("Hope", "H\u043epe"),  # Cyrillic о
        ("John", "J0hn"),
        ("Lily", "LiIy"),
        ("\u0391lex", "Alex"),  # Greek capital alpha
    ],
)
def test_names_that_look_alike_share_a_key(first, second):
    assert name_key(first) == name_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("Sam", "Pam"), ("Hope", "Hop"), ("Ann", "Anna"), ("Rusty", "Tutty"),
     ("Member 60", "Member 66"), ("Sam 1960", "Sam 1900"), ("Bear", "Bean"), ("Five", "Fire")],
)  # fmt: skip
def test_different_names_have_different_keys(first, second):
    assert name_key(first) != name_key(second)


FORMAT_CHARACTERS = st.characters(categories=["Cf"])
SPACE_SEPARATORS = st.characters(categories=["Zs"]).filter(lambda char: char != " ")
ANY_TEXT = st.text(min_size=0, max_size=40)


@given(before=ANY_TEXT, control=FORMAT_CHARACTERS, after=ANY_TEXT)
def test_any_name_containing_a_format_character_is_rejected(before, control, after):
    with pytest.raises(ValidationError):
        validate_display_name(before + control + after)


@given(name=ANY_TEXT)
def test_any_accepted_name_is_clean_and_stable(name):
    try:
        accepted = validate_display_name(name)
    except ValidationError:
        return
    assert accepted == unicodedata.normalize("NFKC", accepted) == accepted.strip()
    assert display_names.display_width(accepted) >= display_names.MIN_LENGTH
    assert len(accepted) <= display_names.MAX_LENGTH
    for char in accepted:
        category = unicodedata.category(char)
        assert category[0] in "LMN" or char in display_names.ALLOWED_PUNCTUATION
        assert category != "Cf"
        assert category != "Zs" or char == " "
    # Validating again changes nothing.
    assert validate_display_name(accepted) == accepted


@given(word=st.text(alphabet="abcdefghij", min_size=3, max_size=10), space=SPACE_SEPARATORS)
def test_unusual_spaces_become_ordinary_spaces_or_are_rejected(word, space):
    try:
        accepted = validate_display_name(word + space + word)
    except ValidationError:
        return
    assert accepted == f"{word} {word}"
