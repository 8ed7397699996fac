"""Warnings, mutes, removals, bans and site-wide suspensions. A sanction is the record;
the member's state that enforces it (Membership.muted_until and state,
User.suspended_until) is written here, by the same service, and nowhere else."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from groups import permissions
from groups.models import Membership, ModerationLogEntry, Notification, Sanction
from groups.permissions import Capability
from groups.services import notifications
from groups.services.access import access_changed
from groups.services.audit import log_action

Action = ModerationLogEntry.Action
State = Membership.State


def reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Please give a reason: the member will see it.")}, code="required"
        )
    return reason


def _target(acting_user, membership: Membership, capability: Capability) -> Membership:
    """The member's row, locked, once the acting user is shown to be allowed to act."""
    permissions.check(acting_user, capability, membership.group)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "group")
        .get(pk=membership.pk)
    )
    permissions.check_can_act_on(acting_user, membership)
    return membership


def _record(acting_user, membership, kind, reason, action, ends_at=None) -> Sanction:
    sanction = Sanction.objects.create(
        user=membership.user, group=membership.group, kind=kind, reason=reason,
        created_by=acting_user, ends_at=ends_at,
    )  # fmt: skip
    details = {"until": ends_at.isoformat()} if ends_at else {}
    _tell(acting_user, sanction, TOLD[kind], reason)
    log_action(
        actor=acting_user, action=action, group=membership.group, target_user=membership.user,
        reason=reason, sanction=sanction.pk, **details,
    )  # fmt: skip
    return sanction


TOLD = {
    Sanction.Kind.WARNING: Notification.Kind.WARNING,
    Sanction.Kind.MUTE: Notification.Kind.MUTE,
    Sanction.Kind.REMOVAL: Notification.Kind.BAN,
    Sanction.Kind.BAN: Notification.Kind.BAN,
    Sanction.Kind.SUSPENSION: Notification.Kind.MUTE,
}


def _tell(acting_user, sanction: Sanction, kind: str, reason: str) -> None:
    """The member reads the reason on their sanctions page, where they can appeal."""
    notifications.notify(
        user_ids=[sanction.user_id], kind=kind, actor=acting_user, group=sanction.group,
        link=reverse("moderation:appeal", args=[sanction.pk]), detail=reason,
    )  # fmt: skip


@transaction.atomic
def sanction_warn(*, acting_user, membership: Membership, reason: str) -> Sanction:
    membership = _target(acting_user, membership, Capability.MODERATE)
    return _record(acting_user, membership, Sanction.Kind.WARNING, reason_required(reason),
                   Action.MEMBER_WARNED)  # fmt: skip


@transaction.atomic
def sanction_mute(*, acting_user, membership: Membership, reason: str, until) -> Sanction:
    """Muted members can read, but not post, react or chat, until the time given."""
    membership = _target(acting_user, membership, Capability.MODERATE)
    if until <= timezone.now():
        raise ValidationError({"until": _("Please choose a time in the future.")})
    reason = reason_required(reason)
    membership.muted_until = until
    membership.save(update_fields=["muted_until", "updated_at"])
    access_changed(membership.user)
    return _record(acting_user, membership, Sanction.Kind.MUTE, reason, Action.MEMBER_MUTED,
                   ends_at=until)  # fmt: skip


def _end_membership(acting_user, membership, *, state, reason) -> None:
    membership.state = state
    membership.role = Membership.Role.MEMBER
    membership.decision_reason = reason
    membership.decided_at = timezone.now()
    membership.save()
    access_changed(membership.user)


@transaction.atomic
def sanction_remove(*, acting_user, membership: Membership, reason: str = "") -> Sanction:
    """The member leaves the group; they may join again."""
    membership = _target(acting_user, membership, Capability.REMOVE_MEMBER)
    if membership.state != State.ACTIVE:
        raise ValidationError(_("This person is not a member of the group any more."))
    reason = reason_required(reason)
    _end_membership(acting_user, membership, state=State.REMOVED, reason=reason)
    return _record(acting_user, membership, Sanction.Kind.REMOVAL, reason, Action.MEMBER_REMOVED)


@transaction.atomic
def sanction_ban(*, acting_user, membership: Membership, reason: str = "") -> Sanction:
    """Banned members lose access and cannot join or ask again."""
    membership = _target(acting_user, membership, Capability.BAN_MEMBER)
    if membership.state == State.BANNED:
        raise ValidationError(_("This person is already banned from the group."))
    reason = reason_required(reason)
    _end_membership(acting_user, membership, state=State.BANNED, reason=reason)
    return _record(acting_user, membership, Sanction.Kind.BAN, reason, Action.MEMBER_BANNED)


@transaction.atomic
def sanction_suspend(*, acting_user, user, reason: str, until) -> Sanction:
    """Site-wide: an administrator stops a member posting, reacting, chatting or
    joining anywhere until the time given."""
    permissions.check_staff(acting_user, _("Only administrators can suspend members site-wide."))
    if permissions.is_staff(user):
        raise PermissionDenied(_("Staff accounts can't be suspended; remove staff status first."))
    reason = reason_required(reason)
    User.objects.filter(pk=user.pk).update(suspended_until=until)
    user.suspended_until = until
    sanction = Sanction.objects.create(
        user=user, group=None, kind=Sanction.Kind.SUSPENSION, reason=reason,
        created_by=acting_user, ends_at=until,
    )  # fmt: skip
    _tell(acting_user, sanction, Notification.Kind.MUTE, reason)
    log_action(
        actor=acting_user, action=Action.MEMBER_SUSPENDED, target_user=user, reason=reason,
        until=until.isoformat(), sanction=sanction.pk,
    )  # fmt: skip
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
        permissions.check_staff(acting_user, _("Only administrators can lift a suspension."))
        User.objects.filter(pk=sanction.user_id).update(suspended_until=None)
    else:
        permissions.check(acting_user, Capability.MODERATE, sanction.group)
        membership = Membership.objects.select_for_update().get(
            user=sanction.user, group=sanction.group
        )
        if sanction.kind == Sanction.Kind.MUTE:
            membership.muted_until = None
        elif sanction.kind == Sanction.Kind.BAN and membership.state == State.BANNED:
            membership.state = State.REMOVED  # may join again
        membership.save()
    sanction.lifted_at = timezone.now()
    sanction.lifted_by = acting_user
    sanction.save(update_fields=["lifted_at", "lifted_by"])
    log_action(
        actor=acting_user, action=Action.SANCTION_LIFTED, group=sanction.group,
        target_user=sanction.user, reason=reason, sanction=sanction.pk,
    )  # fmt: skip
    access_changed(sanction.user)
    _tell(acting_user, sanction, Notification.Kind.SANCTION_ENDED, reason)
    return sanction


ENDED_PER_TICK = 500


def sanctions_tell_ended(now=None) -> list[Sanction]:
    """Tell each member once that a timed mute or suspension came to its end (a leader
    lifting one early tells them already). Run by the moderation tick: each sanction is
    claimed with its row locked and marked told in the same transaction, so two ticks
    at once, or a tick run again, never tell twice. A mute overtaken by a later one, or
    by the member leaving or being removed, ends quietly: there is nothing to tell."""
    now = now or timezone.now()
    told = []
    with transaction.atomic():
        due = list(
            Sanction.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "group")
            .filter(kind__in=[Sanction.Kind.MUTE, Sanction.Kind.SUSPENSION],
                    ends_at__lte=now, lifted_at__isnull=True, end_told_at__isnull=True)
            .order_by("ends_at")[:ENDED_PER_TICK]
        )  # fmt: skip
        if not due:
            return []
        Sanction.objects.filter(pk__in=[s.pk for s in due]).update(end_told_at=now)
        memberships = {
            (m.user_id, m.group_id): m
            for m in Membership.objects.filter(
                user_id__in={s.user_id for s in due}, group_id__in={s.group_id for s in due}
            )
        }
        for sanction in due:
            if sanction.group_id is None:
                still = sanction.user.suspended_until
            else:
                membership = memberships.get((sanction.user_id, sanction.group_id))
                if membership is None or membership.state != State.ACTIVE:
                    continue
                still = membership.muted_until
            if still is not None and still > now:
                continue  # overtaken by a later one: its own end will be told
            if (sanction.user_id, sanction.group_id) in {(s.user_id, s.group_id) for s in told}:
                continue  # two ended at once: one notice
            # The member is free now: an earlier mute that was set to end later
            # is overtaken too, and says nothing when its own time comes.
            Sanction.objects.filter(user_id=sanction.user_id, group_id=sanction.group_id,
                                    kind=sanction.kind, end_told_at__isnull=True,
                                    lifted_at__isnull=True).update(end_told_at=now)  # fmt: skip
            notifications.notify(
                user_ids=[sanction.user_id], kind=Notification.Kind.SANCTION_EXPIRED,
                group=sanction.group, target_key=f"sanction:{sanction.pk}", once=True,
                link=reverse("groups:detail", args=[sanction.group.slug])
                if sanction.group_id else reverse("home"),
            )  # fmt: skip
            told.append(sanction)
    return told
