from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from recovery.models import SafetyPlan
from recovery.plan import SECTION_KEYS, SECTION_MAX_LENGTH


@transaction.atomic
def safety_plan_save(*, acting_user, sections: dict[str, str]) -> SafetyPlan:
    cleaned, errors = {}, {}
    for key in SECTION_KEYS:
        text = (sections.get(key) or "").strip()
        if len(text) > SECTION_MAX_LENGTH:
            errors[key] = _("Please keep each part under %(max)d characters.") % {
                "max": SECTION_MAX_LENGTH
            }
        cleaned[key] = text
    if errors:
        raise ValidationError(errors)
    plan, _created = SafetyPlan.objects.update_or_create(
        owner=acting_user, defaults={"sections": cleaned}
    )
    return plan
