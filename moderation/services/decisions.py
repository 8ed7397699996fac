"""Decisions on review items: one table from (kind of item, action) to the handler
that carries it out through the domain's own service. The claim is taken (or
confirmed) under a row lock first, so a second leader acting at the same moment is
refused, not doubled. Every decision is logged."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.services import chat_message_delete
from forum.services import posts
from groups.models import ModerationLogEntry, Notification, ReviewItem, Target
from groups.services import memberships, notifications, sanctions
from groups.services.audit import log_action
from groups.services.queue import item_close
from moderation import targets
from moderation.services.claims import locked_item, take
from moderation.services.escalation import escalate

Action = ModerationLogEntry.Action
Kind = ReviewItem.Kind
Status = ReviewItem.Status
MUTE_CHOICES = {
    "1h": datetime.timedelta(hours=1),
    "24h": datetime.timedelta(hours=24),
    "7d": datetime.timedelta(days=7),
}


@dataclass
class Request:
    """What a leader asked for, on one item they hold."""

    acting_user: object
    item: ReviewItem
    action: str
    reason: str
    mute_until: datetime.datetime | None
    content_warning: str
    now: datetime.datetime


def _found(target):
    if target is None:
        raise ValidationError(_("What this item was about is no longer there."), code="gone")
    return target


def _post(request: Request):
    return _found(targets.post_of(request.item))


def _member(request: Request):
    membership = targets.subject_membership(request.item)
    if membership is None:
        raise ValidationError(_("This person is not in the group."))
    return membership


# Handlers: each carries out one decision and says how the item closes.


def _approve_post(request: Request) -> str:
    posts.post_approve(acting_user=request.acting_user, post=_post(request))
    return Status.RESOLVED


def _reject_post(request: Request) -> str:
    posts.post_reject(acting_user=request.acting_user, post=_post(request), reason=request.reason)
    return Status.RESOLVED


def _approve_request(request: Request) -> str:
    membership = _found(targets.request_of(request.item))
    memberships.membership_approve(acting_user=request.acting_user, membership=membership)
    return Status.RESOLVED


def _decline_request(request: Request) -> str:
    membership = _found(targets.request_of(request.item))
    memberships.membership_decline(acting_user=request.acting_user, membership=membership,
                                   reason=request.reason)  # fmt: skip
    return Status.RESOLVED


def _hide(request: Request) -> str:
    item = request.item
    if item.target_type == Target.CHAT:
        message = _found(targets.message_of(item))
        chat_message_delete(acting_user=request.acting_user, message=message,
                            reason=request.reason)  # fmt: skip
    else:
        posts.post_hide(acting_user=request.acting_user, post=_post(request),
                        reason=request.reason)  # fmt: skip
    return Status.RESOLVED


def _add_warning(request: Request) -> str:
    posts.post_add_content_warning(acting_user=request.acting_user, post=_post(request),
                                   content_warning=request.content_warning)  # fmt: skip
    return Status.RESOLVED


def _warn(request: Request) -> str:
    sanctions.sanction_warn(acting_user=request.acting_user, membership=_member(request),
                            reason=request.reason)  # fmt: skip
    return Status.RESOLVED


def _mute(request: Request) -> str:
    if request.mute_until is None:
        raise ValidationError({"mute_until": _("Please choose how long the mute lasts.")})
    sanctions.sanction_mute(acting_user=request.acting_user, membership=_member(request),
                            reason=request.reason, until=request.mute_until)  # fmt: skip
    return Status.RESOLVED


def _remove(request: Request) -> str:
    sanctions.sanction_remove(acting_user=request.acting_user, membership=_member(request),
                              reason=request.reason)  # fmt: skip
    return Status.RESOLVED


def _ban(request: Request) -> str:
    sanctions.sanction_ban(acting_user=request.acting_user, membership=_member(request),
                           reason=request.reason)  # fmt: skip
    return Status.RESOLVED


def _lift(request: Request) -> str:
    sanction = _found(targets.sanction_of(request.item))
    sanctions.sanction_lift(acting_user=request.acting_user, sanction=sanction,
                            reason=request.reason)  # fmt: skip
    return Status.RESOLVED


def _log_outcome(request: Request, action, **details) -> None:
    item = request.item
    log_action(actor=request.acting_user, action=action, group=item.group,
               target_user=item.subject, reason=request.reason, item=item.pk,
               **details)  # fmt: skip


def _resolve(request: Request) -> str:
    """Nothing to change (keep it, uphold the decision, reached out): logged."""
    _log_outcome(request, Action.ITEM_RESOLVED, decision=request.action)
    return Status.RESOLVED


def _dismiss(request: Request) -> str:
    _log_outcome(request, Action.ITEM_DISMISSED)
    return Status.DISMISSED


def _escalate(request: Request) -> None:
    escalate(request.item, actor=request.acting_user, now=request.now, note=request.reason)


Handler = Callable[[Request], str | None]
ABOUT_CONTENT: dict[str, Handler] = {
    "keep": _resolve, "hide": _hide, "add_warning": _add_warning, "warn": _warn,
    "mute": _mute, "remove": _remove, "ban": _ban, "dismiss": _dismiss, "escalate": _escalate,
}  # fmt: skip
HANDLERS: dict[tuple[str, str], Handler] = {
    **{(Kind.REPORT, action): handler for action, handler in ABOUT_CONTENT.items()},
    **{(Kind.AUTO_FLAG, action): handler for action, handler in ABOUT_CONTENT.items()},
    # A held post is settled by publishing it or not; sanctions come from a report.
    (Kind.HELD_POST, "approve"): _approve_post,
    (Kind.HELD_POST, "reject"): _reject_post,
    (Kind.HELD_POST, "escalate"): _escalate,
    (Kind.JOIN_REQUEST, "approve"): _approve_request,
    (Kind.JOIN_REQUEST, "decline"): _decline_request,
    (Kind.JOIN_REQUEST, "escalate"): _escalate,
    (Kind.APPEAL, "uphold"): _resolve,
    (Kind.APPEAL, "lift"): _lift,
    (Kind.APPEAL, "escalate"): _escalate,
    (Kind.SUPPORT, "reached_out"): _resolve,
    (Kind.SUPPORT, "escalate"): _escalate,
}
# Actions that make sense only for some targets: a member report has no post to hide.
ONLY_FOR_TARGETS = {"hide": {Target.POST, Target.CHAT}, "add_warning": {Target.POST}}
NEEDS_REASON = {"hide", "warn", "mute", "remove", "ban", "uphold", "lift", "reject"}


def _tell_appellant(request: Request) -> None:
    item = request.item
    notifications.notify(
        user_ids=[item.subject_id], kind=Notification.Kind.APPEAL_OUTCOME,
        actor=request.acting_user, group=item.group, detail=request.reason,
        link=reverse("moderation:appeal", args=[item.target_id]),
    )  # fmt: skip


def actions_for(item: ReviewItem) -> list[str]:
    """The decisions a leader is offered on this item, in the table's order."""
    return [
        action
        for kind, action in HANDLERS
        if kind == item.kind
        and item.target_type in ONLY_FOR_TARGETS.get(action, {item.target_type})
    ]


def mute_end(now, mute_for: str, mute_until=None):
    return mute_until or (now + MUTE_CHOICES[mute_for] if mute_for in MUTE_CHOICES else None)


@transaction.atomic
def item_act(
    *, acting_user, item: ReviewItem, action: str, reason: str = "", mute_for: str = "",
    mute_until=None, content_warning: str = "", now=None,
) -> ReviewItem:  # fmt: skip
    """One decision on one item, carried out and logged; the item closes unless the
    decision sent it to administrators (or the service it called has closed it)."""
    now = now or timezone.now()
    item = take(acting_user, item, now)
    if action not in actions_for(item):
        raise ValidationError(_("That action doesn't apply here."), code="not_applicable")
    if action in NEEDS_REASON:
        reason = sanctions.reason_required(reason)
    request = Request(
        acting_user=acting_user, item=item, action=action, reason=reason,
        mute_until=mute_end(now, mute_for, mute_until), content_warning=content_warning, now=now,
    )  # fmt: skip
    status = HANDLERS[(item.kind, action)](request)
    if item.kind == Kind.APPEAL and action in {"uphold", "lift"}:
        _tell_appellant(request)
    if status is None:
        return item
    item = locked_item(item)
    if not item.is_live:  # the service it called has closed it already
        return item
    return item_close(item, actor=acting_user, status=status, decision=action, reason=reason)
