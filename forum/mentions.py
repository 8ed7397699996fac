"""Finding `@display name` mentions. Names may contain spaces, so a mention is the
longest member name that follows an @ and ends at a word boundary."""


def mentioned_names(text: str, candidate_names: list[str]) -> set[str]:
    by_length = sorted(candidate_names, key=len, reverse=True)
    found: set[str] = set()
    lowered = text.casefold()
    start = lowered.find("@")
    while start != -1:
        after = lowered[start + 1 :]
        for name in by_length:
            folded = name.casefold()
            end = len(folded)
            if after.startswith(folded) and (end == len(after) or not after[end].isalnum()):
                found.add(name)
                break
        start = lowered.find("@", start + 1)
    return found
