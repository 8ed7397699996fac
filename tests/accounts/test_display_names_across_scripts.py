"""Display names across writing systems: two Chinese, Japanese or Korean characters
make a name, and accents stacked on a letter don't make a look-alike a new name."""

import pytest
from django.core.exceptions import ValidationError

from accounts.display_names import name_key, validate_display_name


@pytest.mark.parametrize("name", ["小明", "明美", "민수", "さくら", "小 明"])
def test_two_east_asian_characters_make_a_name(name):
    assert validate_display_name(name) == name


@pytest.mark.parametrize("name", ["明", "Al", "A1", "民"])
def test_shorter_names_are_still_refused_with_a_clear_reason(name):
    with pytest.raises(ValidationError) as error:
        validate_display_name(name)
    assert error.value.code == "too_short"
    assert "2 in Chinese, Japanese or Korean" in error.value.messages[0]


@pytest.mark.parametrize(
    ("look_alike", "name"),
    [
        ("Sa\u0301\u0301m River", "Sam River"),  # stacked combining accents
        ("Sám River", "Sam River"),
        ("Ｓａｍ Ｒｉｖｅｒ", "Sam River"),  # full-width letters
        ("S\u0430m River", "Sam River"),  # a Cyrillic a
        ("Zoë", "Zoe"),
    ],
)
def test_accents_and_wide_letters_do_not_make_a_new_name(look_alike, name):
    assert name_key(look_alike) == name_key(name)


@pytest.mark.parametrize(("one", "other"), [("नमस्ते", "नमसत"), ("민수", "민")])
def test_marks_that_are_part_of_other_scripts_still_tell_names_apart(one, other):
    assert name_key(one) != name_key(other)
