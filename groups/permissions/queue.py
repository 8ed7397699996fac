"""Who may see and handle items in the moderation queue."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from groups.models import ReviewItem
from groups.permissions.table import Capability, can, is_staff, leads_any_group, led_group_ids

# The moderation queue


def can_open_queue(user) -> bool:
    return leads_any_group(user)


def _recused(user, item: ReviewItem) -> bool:
    return item.recused_user_id is not None and item.recused_user_id == user.pk


def can_handle_item(user, item: ReviewItem) -> bool:
    if not user.is_authenticated:
        return False
    if is_staff(user):
        return True
    if item.group is None or item.status == ReviewItem.Status.ESCALATED or _recused(user, item):
        return False
    return can(user, Capability.MODERATE, item.group)


def check_can_handle_item(user, item: ReviewItem) -> None:
    if can_handle_item(user, item):
        return
    if _recused(user, item):
        raise PermissionDenied(
            _("You made this decision, so another leader or an administrator looks at the "
              "appeal.")
        )  # fmt: skip
    raise PermissionDenied(_("Only this group's peer leaders can handle this."))


def items_visible_to(user) -> QuerySet[ReviewItem]:
    """Every item the user may see in the queue."""
    if not user.is_authenticated:
        return ReviewItem.objects.none()
    if is_staff(user):
        return ReviewItem.objects.all()
    return (
        ReviewItem.objects.filter(group_id__in=led_group_ids(user))
        .exclude(status=ReviewItem.Status.ESCALATED)
        .exclude(recused_user=user)
    )


def live_items_visible_to(user) -> QuerySet[ReviewItem]:
    return items_visible_to(user).filter(status__in=ReviewItem.LIVE)
