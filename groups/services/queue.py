"""The moderation queue's primitives, called downward by every domain: open a review
item (or add to the live one), close items settled elsewhere, ring the leaders' queue
pages. Decisions on items live in the moderation app, above."""

import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, Notification, ReviewEvent, ReviewItem
from groups.services.notifications import notify_leaders
from groups.sockets import ring_from_sync

logger = logging.getLogger(__name__)
Status = ReviewItem.Status


def queue_channel_group(group_id: int | None) -> str:
    return f"moderation.group.{group_id}" if group_id else "moderation.staff"


def ring(item: ReviewItem) -> None:
    """After commit, ring the leaders' (and admins') queue pages. Postgres is the
    record; a lost doorbell only means a page refreshes a little later."""
    event = {"type": "queue.changed", "item": item.pk, "urgent": item.urgency == 0}
    names = {queue_channel_group(item.group_id), queue_channel_group(None)}

    def send():
        for name in names:
            try:
                ring_from_sync(name, event)
            except Exception:  # the channel layer being down must not undo a decision
                logger.warning("could not ring the moderation queue", exc_info=True)

    transaction.on_commit(send)


def item_record(item: ReviewItem, *, actor, action: str, note: str = "") -> ReviewItem:
    """Save a change to an item, add it to the item's history and ring the queue."""
    item.version += 1
    item.save()
    ReviewEvent.objects.create(item=item, actor=actor, action=action, note=note)
    ring(item)
    return item


def _live_or_latest(kind: str, target_key: str) -> tuple[ReviewItem | None, str]:
    items = ReviewItem.objects.select_for_update().filter(kind=kind, target_key=target_key)
    item = items.filter(status__in=ReviewItem.LIVE).first()
    if item is not None:
        return item, "reported again"
    item = items.order_by("-created_at").first()
    if item is None:
        return None, "created"
    item.status = Status.PENDING
    item.reopened_at = timezone.now()
    item.claimed_by = None
    item.claimed_until = None
    item.decision = ""
    item.decision_reason = ""
    return item, "reopened"


def open_item(
    *,
    kind: str,
    target_key: str,
    group: Group | None,
    urgent: bool = False,
    reason: str = "",
    actor=None,
    subject=None,
    recused_user=None,
    snapshot: str = "",
) -> ReviewItem:
    """The live item for this target and kind, created, added to, or reopened."""
    item, event = _live_or_latest(kind, target_key)
    if item is None:
        item = ReviewItem(
            kind=kind, target_key=target_key, group=group, subject=subject,
            recused_user=recused_user, snapshot=snapshot,
        )  # fmt: skip
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            # Someone opened the same item a moment ago: add to theirs.
            item = ReviewItem.objects.select_for_update().get(
                kind=kind, target_key=target_key, status__in=ReviewItem.LIVE
            )
            event = "reported again"
    elif event == "reopened":
        item.snapshot = snapshot or item.snapshot
    if reason and reason not in item.reasons:
        item.reasons = [*item.reasons, reason]
    became_urgent = urgent and item.urgency != ReviewItem.Urgency.URGENT
    if urgent:
        item.urgency = ReviewItem.Urgency.URGENT
    item = item_record(item, actor=actor, action=event, note=reason)
    if event != "reported again" or became_urgent:
        _tell_leaders(item, urgent=item.urgency == ReviewItem.Urgency.URGENT)
    return item


def _tell_leaders(item: ReviewItem, *, urgent: bool) -> None:
    """Every leader of the group, wherever they are on the site, but not the one who
    must not handle it (recused) nor the person it is about."""
    kind = Notification.Kind.QUEUE_URGENT if urgent else Notification.Kind.QUEUE_ITEM
    not_them = [uid for uid in (item.recused_user_id, item.subject_id) if uid]
    notify_leaders(group=item.group, kind=kind, target_key=f"item:{item.pk}",
                   link=reverse("moderation:item", args=[item.pk]), exclude=not_them)  # fmt: skip


def item_close(item: ReviewItem, *, actor, status, decision: str, reason: str = "") -> ReviewItem:
    item.status = status
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.decision = decision
    item.decision_reason = reason
    item.claimed_by = None
    item.claimed_until = None
    return item_record(item, actor=actor, action=decision, note=reason)


def close_items_for(
    *, kind: str, target_key: str, actor, decision: str, reason: str = "", status=Status.RESOLVED
) -> None:
    """Close the live item for a target when it is settled outside the queue (a join
    request answered from the requests page, a held post approved from its page)."""
    for item in ReviewItem.objects.select_for_update().filter(
        kind=kind, target_key=target_key, status__in=ReviewItem.LIVE
    ):
        item_close(item, actor=actor, status=status, decision=decision, reason=reason)
