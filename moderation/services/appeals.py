"""A member's one appeal against a sanction. It enters the queue for someone other
than the leader who imposed it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.models import ReviewItem, Sanction, Target
from groups.models.queue import target_key
from groups.services.queue import open_item
from moderation.models import Appeal


def appeal_key(sanction: Sanction) -> str:
    return target_key(Target.SANCTION, sanction.pk)


@transaction.atomic
def appeal_create(*, acting_user, sanction: Sanction, message: str) -> Appeal:
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    if sanction.user_id != acting_user.pk:
        raise PermissionDenied(_("You can only appeal your own sanctions."))
    if Appeal.objects.filter(sanction=sanction).exists():
        raise ValidationError(
            _("You have already appealed this decision. You'll see the answer here.")
        )
    message = (message or "").strip()
    if not message:
        raise ValidationError(
            {"message": _("Please say why you think the decision should change.")}
        )
    appeal = Appeal.objects.create(sanction=sanction, message=message)
    open_item(
        kind=ReviewItem.Kind.APPEAL, target_key=appeal_key(sanction), group=sanction.group,
        actor=acting_user, subject=acting_user, recused_user=sanction.created_by,
        snapshot=message, reason=sanction.get_kind_display(),
    )  # fmt: skip
    return appeal
