"""Screening what members write, for every domain: watched words, contact details and
links from new members (checked before saving: hold, flag or refuse with a kind
message), and crisis language (after saving: an urgent item for the group's leaders).
It never decides on its own; a peer leader does."""

import re
import time
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from groups.models import Group, Report, ReviewItem, WatchedWord
from groups.services.queue import open_item
from safety.crisis import crisis_categories

# Ways people move each other off the platform or arrange deals: phone numbers,
# email addresses, messenger and payment handles.
CONTACT_PATTERNS = {
    "phone number": re.compile(
        r"(?<![\w/.-])"
        # Sobriety dates are not phone numbers: 2023-03-14, 14.03.2023.
        r"(?!\d{4}[-./]\d{1,2}[-./]\d{1,2}(?!\w))(?!\d{1,2}[-./]\d{1,2}[-./]\d{2,4}(?!\w))"
        r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d(?:[\s.-]?\d){6,}"
        r"(?!\w)(?![/.-]\d)"
    ),
    "email address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]*[a-z]{2,}", re.IGNORECASE),
    "messenger handle": re.compile(
        # Names that are only apps, anywhere; names that are also words ("signal",
        # "discord"), only when a handle follows.
        r"\b(?:whats\s?app|telegram|snap\s?chat|kik|wickr|instagram|insta|t\.me|wa\.me)\b"
        r"|\b(?:signal|discord|threema)\s*(?::\s*|\s+@)[@\w.+-]+"
        r"|\bsession\s*:\s*[0-9a-f]{8,}\b"
        # There are no private messages here, so "DM me" means somewhere else.
        r"|\b(?:dm|pm)\s+me\b",
        re.IGNORECASE,
    ),
    "payment handle": re.compile(
        r"(?:\bcash\s?app\b|\bvenmo\b|\bzelle\b|\bpaypal\.me\b|(?<![\w$])\$[a-z][\w-]{2,})",
        re.IGNORECASE,
    ),
    "crypto address": re.compile(
        r"\bbc1[ac-hj-np-z02-9]{25,87}\b|\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b|\b0x[a-fA-F0-9]{40}\b"
    ),
}
LINK_PATTERN = re.compile(r"https?://|www\.", re.IGNORECASE)


@dataclass
class Verdict:
    block_message: str = ""
    hold_reasons: list[str] = field(default_factory=list)
    flag_reasons: list[str] = field(default_factory=list)


def _phrase_pattern(phrase: str) -> re.Pattern:
    words = [re.escape(word).replace(r"\*", r"\w*") for word in phrase.split()]
    return re.compile(r"\b" + r"\s+".join(words) + r"\b", re.IGNORECASE)


WATCHED_WORDS_TTL_SECONDS = 30
_watched_cache: dict[int, tuple[float, list[WatchedWord]]] = {}


def watched_words_for(group) -> list[WatchedWord]:
    """The group's and the site's watched words. Kept for half a minute per process, as
    chat checks every message; a change in admin applies within that time."""
    now = time.monotonic()
    cached = _watched_cache.get(group.pk)
    if cached and now - cached[0] < WATCHED_WORDS_TTL_SECONDS:
        return cached[1]
    words = list(WatchedWord.objects.filter(Q(group=group) | Q(group__isnull=True)))
    _watched_cache[group.pk] = (now, words)
    return words


def forget_watched_words(**kwargs) -> None:
    _watched_cache.clear()


def check_text(text: str, *, group, is_leader: bool, is_new_member: bool) -> Verdict:
    verdict = Verdict()
    for word in watched_words_for(group):
        if not _phrase_pattern(word.phrase).search(text):
            continue
        label = _("watched word “%(phrase)s”") % {"phrase": word.phrase}
        if word.action == WatchedWord.Action.BLOCK:
            verdict.block_message = word.message or _(
                "Your message includes “%(phrase)s”, which isn't allowed here. Please "
                "change it and send again; your text is still in the box."
            ) % {"phrase": word.phrase}
        elif word.action == WatchedWord.Action.HOLD:
            verdict.hold_reasons.append(label)
        else:
            verdict.flag_reasons.append(label)
    if is_leader:
        return verdict
    for name, pattern in CONTACT_PATTERNS.items():
        if pattern.search(text):
            verdict.hold_reasons.append(_("possible %(what)s") % {"what": name})
    if is_new_member and LINK_PATTERN.search(text):
        verdict.hold_reasons.append(_("a link from a new member"))
    return verdict


def flag_for_review(*, group: Group, target_key: str, subject, reasons: list[str], snapshot: str):
    """What screening would hold but cannot (it is already public): a leader looks."""
    if reasons:
        open_item(
            kind=ReviewItem.Kind.AUTO_FLAG, target_key=target_key, group=group, subject=subject,
            reason="; ".join(reasons), snapshot=snapshot,
        )  # fmt: skip


def flag_if_crisis(*, author, group: Group, text: str, target_key: str) -> None:
    """When what a member sent reads like crisis, their group's leaders get an urgent
    item at once. Only a reference is kept, not a copy of the words."""
    if crisis_categories(text):
        open_item(
            kind=ReviewItem.Kind.AUTO_FLAG, target_key=target_key, group=group, urgent=True,
            reason=Report.Reason.RISK, subject=author,
        )  # fmt: skip
