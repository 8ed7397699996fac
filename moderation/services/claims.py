"""Claiming an item: the leader who claims it holds it for a while, under a row lock,
so two leaders never act on one item at once. Claims and releases are logged."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from groups import permissions
from groups.models import ModerationLogEntry, ReviewItem
from groups.services.audit import log_action
from groups.services.queue import item_record

Action = ModerationLogEntry.Action
Status = ReviewItem.Status
CLAIM_MINUTES = 15


def locked_item(item: ReviewItem) -> ReviewItem:
    # claimed_by is not joined: after waiting for the lock Postgres gives the fresh row
    # but the joined rows as they were, so it is read afresh below when needed.
    return (
        ReviewItem.objects.select_for_update(of=("self",)).select_related("group").get(pk=item.pk)
    )


def _log(acting_user, item: ReviewItem, action) -> None:
    log_action(actor=acting_user, action=action, group=item.group, target_user=item.subject,
               item=item.pk)  # fmt: skip


def take(acting_user, item: ReviewItem, now) -> ReviewItem:
    """Make sure the acting user holds the claim (taking it if it is free)."""
    item = locked_item(item)
    permissions.check_can_handle_item(acting_user, item)
    if not item.is_live:
        raise ValidationError(_("This item has already been dealt with."), code="closed")
    held_by_other = (
        item.status in (Status.CLAIMED, Status.ESCALATED)
        and item.claimed_by_id not in (None, acting_user.pk)
        and item.claimed_until is not None
        and item.claimed_until > now
    )
    if held_by_other:
        raise ValidationError(
            _("%(name)s is dealing with this right now.")
            % {"name": User.objects.get(pk=item.claimed_by_id).public_name},
            code="claimed",
        )
    if not item.claim_is_held_by(acting_user, now):
        item.status = Status.CLAIMED if item.status != Status.ESCALATED else item.status
        item.claimed_by = acting_user
        item.claimed_until = now + datetime.timedelta(minutes=CLAIM_MINUTES)
        item_record(item, actor=acting_user, action="claimed")
        _log(acting_user, item, Action.ITEM_CLAIMED)
    return item


@transaction.atomic
def item_claim(*, acting_user, item: ReviewItem, now=None) -> ReviewItem:
    return take(acting_user, item, now or timezone.now())


@transaction.atomic
def item_release(*, acting_user, item: ReviewItem) -> ReviewItem:
    item = locked_item(item)
    if item.claimed_by_id == acting_user.pk and item.status == Status.CLAIMED:
        item.status = Status.PENDING
        item.claimed_by = None
        item.claimed_until = None
        item_record(item, actor=acting_user, action="released")
        _log(acting_user, item, Action.ITEM_RELEASED)
    return item
