"""Members telling the leaders about a post, a chat message or a member: one report
per person and target, and the target's review item opened or added to."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from groups import limits, permissions
from groups.models import Group, Report, ReviewItem
from groups.permissions import Capability
from groups.services.queue import open_item


@transaction.atomic
def report_file(
    *, acting_user, group: Group, target_key: str, subject, reason: str, note: str = "",
    snapshot: str = "", already_reported: str,
) -> Report:  # fmt: skip
    """File the report; the domain that owns the target has checked it may be reported."""
    permissions.check(acting_user, Capability.REPORT, group)
    if reason not in Report.Reason.values:
        raise ValidationError(_("Please choose a reason."), code="invalid")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                group=group, target_key=target_key, subject=subject, reporter=acting_user,
                reason=reason, note=note,
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError(already_reported, code="already_reported") from None
    report.review_item = open_item(
        kind=ReviewItem.Kind.REPORT, target_key=target_key, group=group,
        urgent=reason == Report.Reason.RISK, reason=reason, actor=acting_user, subject=subject,
        snapshot=snapshot,
    )  # fmt: skip
    report.save(update_fields=["review_item"])
    # Last: a report refused for another reason is not counted.
    limits.take(limits.REPORT, acting_user.pk, _(
        "You've sent a lot of reports in a short time. Thank you for looking out for the "
        "group: please wait a few minutes and send this one again."
    ))  # fmt: skip
    return report
