"""Rules for text members write, shared by posts and chat."""

# Text-direction overrides and isolates can make words display in a different order
# from how they are stored ("Trojan Source"); members never need them. NUL never
# belongs in text.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
HIDDEN_CHARACTERS = BIDI_CONTROLS | {"\x00"}


def hidden_characters_in(text: str) -> int:
    return sum(1 for char in text if char in HIDDEN_CHARACTERS)


def without_hidden_characters(value):
    if value:
        value = "".join(char for char in value if char not in HIDDEN_CHARACTERS)
    return value
