"""The moderation queue: opening review items, claiming them, acting on them,
sanctions, appeals and escalation. Every decision is logged."""

import datetime
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from groups import permissions
from groups.models import (
    Appeal,
    Group,
    Membership,
    ModerationLogEntry,
    Post,
    ReviewEvent,
    ReviewItem,
    Sanction,
)
from groups.permissions import Capability
from groups.services.access import access_changed
from groups.services.audit import log_action

logger = logging.getLogger(__name__)
Action = ModerationLogEntry.Action
Kind = ReviewItem.Kind
Status = ReviewItem.Status
CLAIM_MINUTES = 15
MUTE_CHOICES = {
    "1h": datetime.timedelta(hours=1),
    "24h": datetime.timedelta(hours=24),
    "7d": datetime.timedelta(days=7),
}


def escalation_minutes() -> int:
    return getattr(settings, "MODERATION_URGENT_ESCALATION_MINUTES", 10)


# The doorbell: tell leaders' open queue pages that something changed.


def queue_channel_group(group_id: int | None) -> str:
    return f"moderation.group.{group_id}" if group_id else "moderation.staff"


def _ring(item: ReviewItem) -> None:
    """After commit, ring the leaders' (and admins') queue pages. Postgres is the
    record; a lost doorbell only means a page refreshes a little later."""

    def ring():
        layer = get_channel_layer()
        if layer is None:
            return
        event = {"type": "queue.changed", "item": item.pk, "urgent": item.urgency == 0}
        for name in {queue_channel_group(item.group_id), queue_channel_group(None)}:
            try:
                async_to_sync(layer.group_send)(name, event)
            except Exception:  # the channel layer being down must not undo a decision
                logger.warning("could not ring the moderation queue", exc_info=True)

    transaction.on_commit(ring)


# Opening items


def open_item(
    *,
    kind: str,
    target_key: str,
    group: Group | None,
    urgent: bool = False,
    reason: str = "",
    actor=None,
    post: Post | None = None,
    membership: Membership | None = None,
    subject=None,
    sanction: Sanction | None = None,
    chat_message=None,
    snapshot: str = "",
) -> ReviewItem:
    """The live item for this target and kind, created, added to, or reopened."""
    item = (
        ReviewItem.objects.select_for_update()
        .filter(kind=kind, target_key=target_key, status__in=ReviewItem.LIVE)
        .first()
    )
    event = "reported again"
    if item is None:
        item = (
            ReviewItem.objects.select_for_update()
            .filter(kind=kind, target_key=target_key)
            .order_by("-created_at")
            .first()
        )
        if item is not None:
            item.status = Status.PENDING
            item.reopened_at = timezone.now()
            item.claimed_by = None
            item.claimed_until = None
            item.decision = ""
            item.decision_reason = ""
            item.snapshot = snapshot or item.snapshot
            event = "reopened"
        else:
            item = ReviewItem(
                kind=kind,
                target_key=target_key,
                group=group,
                post=post,
                membership=membership,
                subject=subject,
                sanction=sanction,
                chat_message=chat_message,
                snapshot=snapshot,
            )
            event = "created"
    if item.pk is None:
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            # Someone opened the same item a moment ago: add to theirs.
            item = (
                ReviewItem.objects.select_for_update()
                .filter(kind=kind, target_key=target_key, status__in=ReviewItem.LIVE)
                .get()
            )
            event = "reported again"
    if reason and reason not in item.reasons:
        item.reasons = [*item.reasons, reason]
    if urgent:
        item.urgency = ReviewItem.Urgency.URGENT
    item.version += 1
    item.save()
    ReviewEvent.objects.create(item=item, actor=actor, action=event, note=reason)
    _ring(item)
    return item


def close_items_for(
    *, kind: str, target_key: str, actor, decision: str, reason: str = "", status=Status.RESOLVED
):
    """Close the live item for a target when it is settled outside the queue (a join
    request answered from the requests page, a held post approved from its page)."""
    for item in ReviewItem.objects.select_for_update().filter(
        kind=kind, target_key=target_key, status__in=ReviewItem.LIVE
    ):
        _close(item, actor=actor, status=status, decision=decision, reason=reason)


def _close(item: ReviewItem, *, actor, status, decision: str, reason: str) -> ReviewItem:
    item.status = status
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.decision = decision
    item.decision_reason = reason
    item.claimed_by = None
    item.claimed_until = None
    item.version += 1
    item.save()
    ReviewEvent.objects.create(item=item, actor=actor, action=decision, note=reason)
    _ring(item)
    return item


def post_snapshot(post: Post) -> str:
    warning = f"[{post.get_content_warning_display()}] " if post.content_warning else ""
    return f"{post.thread.title}\n\n{warning}{post.body}"


@transaction.atomic
def member_report(*, acting_user, group: Group, member, reason: str, note: str = ""):
    """A report about a member's conduct (not one post): it enters the group's queue."""
    from groups.models import Report

    permissions.check(acting_user, Capability.REPORT, group)
    if member.pk == acting_user.pk:
        raise ValidationError(_("You can't report yourself."))
    if Report.objects.filter(
        group=group, reported_user=member, reporter=acting_user, post__isnull=True
    ).exists():
        raise ValidationError(
            _("You've already reported this member. Thank you: the leaders have it."),
            code="already_reported",
        )
    report = Report.objects.create(
        group=group, reported_user=member, reporter=acting_user, reason=reason, note=note
    )
    report.review_item = open_item(
        kind=Kind.REPORT,
        target_key=f"member:{member.pk}:group:{group.pk}",
        group=group,
        urgent=reason == Report.Reason.RISK,
        reason=reason,
        actor=acting_user,
        subject=member,
        snapshot=note,
    )
    report.save(update_fields=["review_item"])
    return report


# Who may handle an item


def can_handle(user, item: ReviewItem) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if item.group is None or item.status == Status.ESCALATED:
        return False
    if item.kind == Kind.APPEAL and item.sanction and item.sanction.created_by_id == user.pk:
        return False  # an appeal goes to someone else
    return permissions.can(user, Capability.MODERATE, item.group)


def check_can_handle(user, item: ReviewItem) -> None:
    if not can_handle(user, item):
        if item.kind == Kind.APPEAL and item.sanction and item.sanction.created_by_id == user.pk:
            raise PermissionDenied(
                _(
                    "You made this decision, so another leader or an administrator "
                    "looks at the appeal."
                )
            )
        raise PermissionDenied(_("Only this group's peer leaders can handle this."))


def items_visible_to(user):
    """Every item the user may see in the queue."""
    if not user.is_authenticated:
        return ReviewItem.objects.none()
    if user.is_staff:
        return ReviewItem.objects.all()
    led = Membership.objects.filter(
        user=user,
        state=Membership.State.ACTIVE,
        role__in=[Membership.Role.LEADER, Membership.Role.OWNER],
    ).values("group_id")
    return (
        ReviewItem.objects.filter(group_id__in=led)
        .exclude(status=Status.ESCALATED)
        .exclude(kind=Kind.APPEAL, sanction__created_by=user)
    )


def live_items_visible_to(user):
    return items_visible_to(user).filter(status__in=ReviewItem.LIVE)


# Claiming


def _locked(item: ReviewItem) -> ReviewItem:
    # claimed_by is not joined: after waiting for the lock Postgres gives the fresh row
    # but the joined rows as they were, so it is read afresh below when needed.
    return (
        ReviewItem.objects.select_for_update(of=("self",))
        .select_related("group", "sanction")
        .get(pk=item.pk)
    )


def _take(acting_user, item: ReviewItem, now) -> ReviewItem:
    """Make sure the acting user holds the claim (taking it if it is free). The row
    lock means two leaders can never both hold it."""
    item = _locked(item)
    check_can_handle(acting_user, item)
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
        item.version += 1
        item.save()
        ReviewEvent.objects.create(item=item, actor=acting_user, action="claimed")
        _ring(item)
    return item


@transaction.atomic
def item_claim(*, acting_user, item: ReviewItem, now=None) -> ReviewItem:
    return _take(acting_user, item, now or timezone.now())


@transaction.atomic
def item_release(*, acting_user, item: ReviewItem) -> ReviewItem:
    item = _locked(item)
    if item.claimed_by_id == acting_user.pk and item.status == Status.CLAIMED:
        item.status = Status.PENDING
        item.claimed_by = None
        item.claimed_until = None
        item.version += 1
        item.save()
        ReviewEvent.objects.create(item=item, actor=acting_user, action="released")
        _ring(item)
    return item


# Sanctions


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Please give a reason: the member will see it.")}, code="required"
        )
    return reason


def _membership_for(user, group) -> Membership:
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "group")
        .filter(user=user, group=group)
        .first()
    )
    if membership is None:
        raise ValidationError(_("This person is not in the group."))
    return membership


@transaction.atomic
def sanction_warn(*, acting_user, group: Group, user, reason: str) -> Sanction:
    permissions.check(acting_user, Capability.MODERATE, group)
    permissions.check_can_act_on(acting_user, _membership_for(user, group))
    sanction = Sanction.objects.create(
        user=user,
        group=group,
        kind=Sanction.Kind.WARNING,
        reason=_reason_required(reason),
        created_by=acting_user,
    )
    log_action(
        actor=acting_user,
        action=Action.MEMBER_WARNED,
        group=group,
        target_user=user,
        reason=sanction.reason,
        sanction=sanction.pk,
    )
    return sanction


@transaction.atomic
def sanction_mute(*, acting_user, group: Group, user, reason: str, until) -> Sanction:
    """Muted members can read, but not post, react or chat, until the time given."""
    permissions.check(acting_user, Capability.MODERATE, group)
    membership = _membership_for(user, group)
    permissions.check_can_act_on(acting_user, membership)
    if until <= timezone.now():
        raise ValidationError({"until": _("Please choose a time in the future.")})
    reason = _reason_required(reason)
    membership.muted_until = until
    membership.save(update_fields=["muted_until", "updated_at"])
    sanction = Sanction.objects.create(
        user=user,
        group=group,
        kind=Sanction.Kind.MUTE,
        reason=reason,
        created_by=acting_user,
        ends_at=until,
    )
    log_action(
        actor=acting_user,
        action=Action.MEMBER_MUTED,
        group=group,
        target_user=user,
        reason=reason,
        until=until.isoformat(),
        sanction=sanction.pk,
    )
    access_changed(user)
    return sanction


@transaction.atomic
def sanction_remove(*, acting_user, group: Group, user, reason: str) -> Sanction:
    from groups.services.memberships import membership_remove

    membership = _membership_for(user, group)
    reason = _reason_required(reason)
    membership_remove(acting_user=acting_user, membership=membership, reason=reason)
    sanction = Sanction.objects.create(
        user=user, group=group, kind=Sanction.Kind.REMOVAL, reason=reason, created_by=acting_user
    )
    return sanction


@transaction.atomic
def sanction_ban(*, acting_user, group: Group, user, reason: str) -> Sanction:
    from groups.services.memberships import membership_ban

    membership = _membership_for(user, group)
    reason = _reason_required(reason)
    membership_ban(acting_user=acting_user, membership=membership, reason=reason)
    sanction = Sanction.objects.create(
        user=user, group=group, kind=Sanction.Kind.BAN, reason=reason, created_by=acting_user
    )
    return sanction


@transaction.atomic
def sanction_suspend(*, acting_user, user, reason: str, until) -> Sanction:
    """Site-wide: an administrator stops a member posting, reacting, chatting or
    joining anywhere until the time given."""
    if not acting_user.is_staff:
        raise PermissionDenied(_("Only administrators can suspend members site-wide."))
    if user.is_staff:
        raise PermissionDenied(_("Staff accounts can't be suspended; remove staff status first."))
    reason = _reason_required(reason)
    User.objects.filter(pk=user.pk).update(suspended_until=until)
    user.suspended_until = until
    sanction = Sanction.objects.create(
        user=user,
        group=None,
        kind=Sanction.Kind.SUSPENSION,
        reason=reason,
        created_by=acting_user,
        ends_at=until,
    )
    log_action(
        actor=acting_user,
        action=Action.MEMBER_SUSPENDED,
        target_user=user,
        reason=reason,
        until=until.isoformat(),
        sanction=sanction.pk,
    )
    access_changed(user)
    return sanction


@transaction.atomic
def sanction_lift(*, acting_user, sanction: Sanction, reason: str = "") -> Sanction:
    sanction = (
        Sanction.objects.select_for_update(of=("self",))
        .select_related("group", "user")
        .get(pk=sanction.pk)
    )
    if sanction.group is None:
        if not acting_user.is_staff:
            raise PermissionDenied(_("Only administrators can lift a suspension."))
        User.objects.filter(pk=sanction.user_id).update(suspended_until=None)
    else:
        permissions.check(acting_user, Capability.MODERATE, sanction.group)
        membership = Membership.objects.select_for_update().get(
            user=sanction.user, group=sanction.group
        )
        if sanction.kind == Sanction.Kind.MUTE:
            membership.muted_until = None
        elif sanction.kind == Sanction.Kind.BAN and membership.state == Membership.State.BANNED:
            membership.state = Membership.State.REMOVED  # may join again
        membership.save()
    sanction.lifted_at = timezone.now()
    sanction.lifted_by = acting_user
    sanction.save(update_fields=["lifted_at", "lifted_by"])
    log_action(
        actor=acting_user,
        action=Action.SANCTION_LIFTED,
        group=sanction.group,
        target_user=sanction.user,
        reason=reason,
        sanction=sanction.pk,
    )
    access_changed(sanction.user)
    return sanction


def sanctions_in_force(user, group: Group) -> list[Sanction]:
    if not user.is_authenticated:
        return []
    now = timezone.now()
    return list(
        Sanction.objects.filter(user=user, lifted_at__isnull=True)
        .filter(Q(group=group) | Q(group__isnull=True))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .exclude(kind=Sanction.Kind.WARNING, created_at__lt=now - datetime.timedelta(days=30))
        .select_related("appeal")
    )


# Appeals


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
        kind=Kind.APPEAL,
        target_key=f"sanction:{sanction.pk}",
        group=sanction.group,
        actor=acting_user,
        subject=acting_user,
        sanction=sanction,
        snapshot=message,
        reason=sanction.get_kind_display(),
    )
    return appeal


# Acting on items

ACTIONS_BY_KIND = {
    Kind.REPORT: [
        "keep",
        "hide",
        "add_warning",
        "warn",
        "mute",
        "remove",
        "ban",
        "dismiss",
        "escalate",
    ],
    Kind.AUTO_FLAG: [
        "keep",
        "hide",
        "add_warning",
        "warn",
        "mute",
        "remove",
        "ban",
        "dismiss",
        "escalate",
    ],
    # A held post is settled by publishing it or not; sanctions come from a report.
    Kind.HELD_POST: ["approve", "reject", "escalate"],
    Kind.JOIN_REQUEST: ["approve", "decline", "escalate"],
    Kind.APPEAL: ["uphold", "lift", "escalate"],
    Kind.SUPPORT: ["reached_out", "escalate"],
}
NEEDS_REASON = {"hide", "warn", "mute", "remove", "ban", "uphold", "lift", "reject"}


@transaction.atomic
def item_act(
    *,
    acting_user,
    item: ReviewItem,
    action: str,
    reason: str = "",
    mute_for: str = "",
    mute_until=None,
    content_warning: str = "",
    now=None,
) -> ReviewItem:
    """One decision on one item. The claim is taken (or confirmed) under a row lock,
    so a second leader acting at the same moment is refused, not doubled."""
    from groups.services import memberships, threads

    now = now or timezone.now()
    item = _take(acting_user, item, now)
    if action not in ACTIONS_BY_KIND[item.kind]:
        raise ValidationError(_("That action doesn't apply here."))
    if action in NEEDS_REASON:
        reason = _reason_required(reason)
    group, post, subject = item.group, item.post, item.subject
    status = Status.RESOLVED

    if action == "escalate":
        item.status = Status.ESCALATED
        item.escalated_at = now
        item.claimed_by = None
        item.claimed_until = None
        item.version += 1
        item.save()
        ReviewEvent.objects.create(item=item, actor=acting_user, action="escalated", note=reason)
        log_action(
            actor=acting_user,
            action=Action.ITEM_ESCALATED,
            group=group,
            target_user=subject,
            reason=reason,
            item=item.pk,
        )
        _email_staff(item)
        _ring(item)
        return item
    if action in {"approve", "reject"} and item.kind == Kind.HELD_POST:
        service = threads.post_approve if action == "approve" else threads.post_reject
        kwargs = {} if action == "approve" else {"reason": reason}
        service(acting_user=acting_user, post=post, **kwargs)
    elif action in {"approve", "decline"} and item.kind == Kind.JOIN_REQUEST:
        if action == "approve":
            memberships.membership_approve(acting_user=acting_user, membership=item.membership)
        else:
            memberships.membership_decline(
                acting_user=acting_user, membership=item.membership, reason=reason
            )
    elif action == "hide":
        threads.post_hide(acting_user=acting_user, post=post, reason=reason)
    elif action == "add_warning":
        threads.post_add_content_warning(
            acting_user=acting_user, post=post, content_warning=content_warning
        )
    elif action == "warn":
        sanction_warn(acting_user=acting_user, group=group, user=subject, reason=reason)
    elif action == "mute":
        until = mute_until or (now + MUTE_CHOICES[mute_for] if mute_for in MUTE_CHOICES else None)
        if until is None:
            raise ValidationError({"mute_until": _("Please choose how long the mute lasts.")})
        sanction_mute(
            acting_user=acting_user, group=group, user=subject, reason=reason, until=until
        )
    elif action == "remove":
        sanction_remove(acting_user=acting_user, group=group, user=subject, reason=reason)
    elif action == "ban":
        sanction_ban(acting_user=acting_user, group=group, user=subject, reason=reason)
    elif action == "lift":
        sanction_lift(acting_user=acting_user, sanction=item.sanction, reason=reason)
    elif action == "dismiss":
        status = Status.DISMISSED
        log_action(
            actor=acting_user,
            action=Action.ITEM_DISMISSED,
            group=group,
            target_user=subject,
            reason=reason,
            item=item.pk,
        )
    elif action in {"keep", "uphold", "reached_out"}:
        log_action(
            actor=acting_user,
            action=Action.ITEM_RESOLVED,
            group=group,
            target_user=subject,
            reason=reason,
            item=item.pk,
            decision=action,
        )
    item = _locked(item)
    if not item.is_live:  # the service it called has closed it already
        return item
    return _close(item, actor=acting_user, status=status, decision=action, reason=reason)


def _email_staff(item: ReviewItem) -> None:
    recipients = list(
        User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
    )
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
        "/moderation/items/%(pk)s/\n\nIf someone may be in immediate danger, follow the "
        "leader playbook."
    ) % {
        "kind": item.get_kind_display(),
        "where": where,
        "urgency": item.get_urgency_display(),
        "since": item.waiting_since,
        "pk": item.pk,
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
        .filter(
            urgency=ReviewItem.Urgency.URGENT,
            status=Status.PENDING,
        )
        .filter(Q(reopened_at__isnull=True, created_at__lte=cutoff) | Q(reopened_at__lte=cutoff))
    )
    escalated = []
    for item in overdue:
        item.status = Status.ESCALATED
        item.escalated_at = now
        item.version += 1
        item.save()
        ReviewEvent.objects.create(
            item=item,
            action="escalated",
            note=_("Unclaimed for %(n)d minutes") % {"n": escalation_minutes()},
        )
        _email_staff(item)
        _ring(item)
        escalated.append(item)
    return escalated
