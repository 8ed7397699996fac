"""Daily check-ins: one per local day; saving the same day again changes it."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recovery import days as recovery_days
from recovery.models import CheckIn

# A member may fill in a day they missed, up to this many days back.
DAYS_BACK = 6
NOTE_MAX_LENGTH = 2000
TAGS = {
    "hopeful": gettext_lazy("hopeful"), "calm": gettext_lazy("calm"),
    "grateful": gettext_lazy("grateful"), "connected": gettext_lazy("connected"),
    "anxious": gettext_lazy("anxious"), "lonely": gettext_lazy("lonely"),
    "low": gettext_lazy("low"), "angry": gettext_lazy("angry"),
    "stressed": gettext_lazy("stressed"), "tired": gettext_lazy("tired"),
    "restless": gettext_lazy("restless"), "in_pain": gettext_lazy("in pain"),
}  # fmt: skip


def _answers(mood, craving, sleep_hours, tags, note) -> dict:
    errors = {}
    if not isinstance(mood, int) or not 1 <= mood <= 5:
        errors["mood"] = _("Please choose how your mood is, from 1 to 5.")
    if not isinstance(craving, int) or not 0 <= craving <= 10:
        errors["craving"] = _("Please choose how strong cravings are, from 0 to 10.")
    if sleep_hours is not None and not 0 <= sleep_hours <= 24:
        errors["sleep_hours"] = _("Please give hours of sleep from 0 to 24, or leave it empty.")
    unknown = set(tags) - set(TAGS)
    if unknown:
        errors["tags"] = _("Please choose tags from the list.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Please keep the note under %(max)d characters.") % {
            "max": NOTE_MAX_LENGTH
        }
    if errors:
        raise ValidationError(errors)
    return {"mood": mood, "craving": craving, "sleep_hours": sleep_hours,
            "tags": sorted(set(tags)), "note": note}  # fmt: skip


def check_in_days(user, now=None) -> list[datetime.date]:
    """The days a member may check in for, today first."""
    today = recovery_days.local_today(user, now)
    return [today - datetime.timedelta(days=back) for back in range(DAYS_BACK + 1)]


@transaction.atomic
def check_in_save(*, acting_user, day: datetime.date | None = None, mood: int, craving: int,
                  sleep_hours: float | None = None, tags=(), note: str = "",
                  now=None) -> CheckIn:  # fmt: skip
    allowed = check_in_days(acting_user, now)
    day = day or allowed[0]
    if day not in allowed:
        raise ValidationError({"day": _("You can check in for today or the last %(n)d days.")
                               % {"n": DAYS_BACK}})  # fmt: skip
    answers = _answers(mood, craving, sleep_hours, list(tags), note)
    check_in, _created = CheckIn.objects.update_or_create(
        owner=acting_user, day=day, defaults={"answers": answers}
    )
    return check_in
