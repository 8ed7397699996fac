"""Getting an item to administrators: a leader escalates it, or an urgent item nobody
claimed in time escalates on its own. Both are logged and emailed to staff."""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import permissions
from groups.models import Membership, ModerationLogEntry, ReviewItem
from groups.services import notification_email
from groups.services.audit import log_action
from groups.services.queue import item_record

logger = logging.getLogger(__name__)
Status = ReviewItem.Status


def escalation_minutes() -> int:
    return settings.MODERATION_URGENT_ESCALATION_MINUTES


def escalate(item: ReviewItem, *, actor, now, note: str) -> ReviewItem:
    """Send a locked, live item to administrators."""
    item.status = Status.ESCALATED
    item.escalated_at = now
    item.claimed_by = None
    item.claimed_until = None
    item_record(item, actor=actor, action="escalated", note=note)
    log_action(actor=actor, action=ModerationLogEntry.Action.ITEM_ESCALATED, group=item.group,
               target_user=item.subject, reason=note, item=item.pk)  # fmt: skip
    _email_staff(item)
    return item


def _email_staff(item: ReviewItem) -> None:
    # Only staff who act with staff powers (two-factor set up) read the queue.
    recipients = list(permissions.staff_with_powers().values_list("email", flat=True))
    if not recipients:
        return
    where = item.group.name if item.group else _("the site")
    subject = _("[peersupport] Needs an administrator: %(kind)s in %(where)s") % {
        "kind": item.get_kind_display(),
        "where": where,
    }
    body = _(
        "A moderation item needs an administrator.\n\nKind: %(kind)s\nGroup: %(where)s\n"
        "Urgency: %(urgency)s\nWaiting since: %(since)s\n\nOpen the queue to handle it: "
        "%(path)s\n\nIf someone may be in immediate danger, follow the leader playbook."
    ) % {
        "kind": item.get_kind_display(),
        "where": where,
        "urgency": item.get_urgency_display(),
        "since": item.waiting_since,
        "path": reverse("moderation:item", args=[item.pk]),
    }

    def send():
        try:
            send_mail(subject, body, None, recipients)
        except Exception:  # mail trouble must not hide the item: it is in the queue and admin
            logger.warning("could not email staff about an escalated item", exc_info=True)

    transaction.on_commit(send)


@transaction.atomic
def escalate_overdue(*, now=None) -> list[ReviewItem]:
    """Urgent items nobody has claimed within the set minutes go to administrators:
    shown in admin and emailed to staff. Safe to run as often as you like."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=escalation_minutes())
    overdue = (
        ReviewItem.objects.select_for_update(skip_locked=True)
        .filter(urgency=ReviewItem.Urgency.URGENT, status=Status.PENDING)
        .filter(Q(reopened_at__isnull=True, created_at__lte=cutoff) | Q(reopened_at__lte=cutoff))
    )
    note = _("Unclaimed for %(n)d minutes") % {"n": escalation_minutes()}
    return [escalate(item, actor=None, now=now, note=note) for item in overdue]


def remind_minutes() -> int:
    return settings.MODERATION_URGENT_REMIND_MINUTES


@transaction.atomic
def remind_leaders_of_unclaimed(*, now=None) -> list[ReviewItem]:
    """Urgent items nobody has claimed within a few minutes are emailed again to every
    leader of the group who still takes email (whatever their quiet hours, if they
    chose so), before the administrators' escalation. Once per item."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=remind_minutes())
    waiting = (
        ReviewItem.objects.select_for_update(skip_locked=True)
        .filter(urgency=ReviewItem.Urgency.URGENT, status=Status.PENDING,
                leaders_reminded_at__isnull=True, group__isnull=False)
        .filter(Q(reopened_at__isnull=True, created_at__lte=cutoff) | Q(reopened_at__lte=cutoff))
    )  # fmt: skip
    items = list(waiting)
    for item in items:
        leaders = Membership.objects.leading().filter(group_id=item.group_id).select_related("user")
        user_ids = [m.user_id for m in leaders if m.user_id not in (item.recused_user_id,
                                                                    item.subject_id)]  # fmt: skip
        transaction.on_commit(partial(notification_email.remind_urgent, user_ids, now=now))
        ReviewItem.objects.filter(pk=item.pk).update(leaders_reminded_at=now)
    return items
