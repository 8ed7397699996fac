"""Joining, asking, leaving, and the leaders' and owner's decisions about members
(removals and bans are sanctions: services/sanctions.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import permissions
from groups.models import (
    Group,
    Invite,
    Membership,
    ModerationLogEntry,
    Notification,
    ReviewItem,
    Target,
)
from groups.models.queue import target_key
from groups.permissions import Capability
from groups.services import notifications, queue
from groups.services.access import access_changed
from groups.services.audit import log_action

Action = ModerationLogEntry.Action
State = Membership.State
Role = Membership.Role


def _require_rules_accepted(accepted_rules: bool) -> None:
    if not accepted_rules:
        raise ValidationError(
            {"accept_rules": _("Please read and accept the group's rules to join.")}
        )


def _locked_membership(user, group) -> Membership | None:
    return Membership.objects.select_for_update().filter(user=user, group=group).first()


def _own_active_membership(acting_user, group, refusal: str) -> Membership:
    membership = _locked_membership(acting_user, group)
    if membership is None or membership.state != State.ACTIVE:
        raise PermissionDenied(refusal)
    return membership


def _make_active(membership: Membership, group: Group) -> Membership:
    membership.state = State.ACTIVE
    membership.role = Role.MEMBER
    membership.joined_at = timezone.now()
    membership.decision_reason = ""
    # A mute outlasts leaving and coming back; it ends when it ends.
    return membership


@transaction.atomic
def membership_join(*, acting_user, group: Group, accepted_rules: bool) -> Membership:
    permissions.check(acting_user, Capability.JOIN, group)
    _require_rules_accepted(accepted_rules)
    membership = _locked_membership(acting_user, group) or Membership(user=acting_user, group=group)
    _make_active(membership, group)
    membership.accepted_rules_version = group.rules_version
    membership.save()
    permissions.forget_memberships(acting_user)
    return membership


@transaction.atomic
def membership_request(
    *, acting_user, group: Group, message: str, accepted_rules: bool
) -> Membership:
    permissions.check(acting_user, Capability.REQUEST_TO_JOIN, group)
    _require_rules_accepted(accepted_rules)
    membership = _locked_membership(acting_user, group) or Membership(user=acting_user, group=group)
    membership.state = State.REQUESTED
    membership.role = Role.MEMBER
    membership.request_message = message
    membership.decision_reason = ""
    membership.accepted_rules_version = group.rules_version
    membership.save()
    permissions.forget_memberships(acting_user)
    queue.open_item(
        kind=ReviewItem.Kind.JOIN_REQUEST, target_key=_request_key(membership), group=group,
        subject=acting_user, actor=acting_user, snapshot=message,
    )  # fmt: skip
    return membership


@transaction.atomic
def membership_withdraw(*, acting_user, group: Group) -> Membership:
    membership = _locked_membership(acting_user, group)
    if membership is None or membership.state != State.REQUESTED:
        raise ValidationError(_("You have no request waiting in this group."))
    membership.state = State.WITHDRAWN
    membership.save(update_fields=["state", "updated_at"])
    permissions.forget_memberships(acting_user)
    queue.close_items_for(
        kind=ReviewItem.Kind.JOIN_REQUEST, target_key=_request_key(membership),
        actor=acting_user, decision="withdrawn", status=ReviewItem.Status.DISMISSED,
    )  # fmt: skip
    return membership


@transaction.atomic
def membership_leave(*, acting_user, group: Group) -> Membership:
    permissions.check(acting_user, Capability.LEAVE, group)
    membership = _locked_membership(acting_user, group)
    membership.state = State.LEFT
    membership.role = Role.MEMBER
    membership.save(update_fields=["state", "role", "updated_at"])
    access_changed(acting_user)
    return membership


def _request_key(membership: Membership) -> str:
    return target_key(Target.MEMBERSHIP, membership.pk)


def _pending_request(membership: Membership) -> Membership:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.state != State.REQUESTED:
        raise ValidationError(_("This request has already been answered or withdrawn."))
    return locked


@transaction.atomic
def membership_approve(*, acting_user, membership: Membership) -> Membership:
    permissions.check(acting_user, Capability.APPROVE_JOIN, membership.group)
    membership = _pending_request(membership)
    _make_active(membership, membership.group)
    membership.decided_at = timezone.now()
    membership.save()
    log_action(
        actor=acting_user, action=Action.REQUEST_APPROVED, group=membership.group,
        target_user=membership.user,
    )  # fmt: skip
    queue.close_items_for(kind=ReviewItem.Kind.JOIN_REQUEST,
                          target_key=_request_key(membership), actor=acting_user,
                          decision="approve")  # fmt: skip
    _tell_member(acting_user, membership, Notification.Kind.REQUEST_APPROVED)
    return membership


def _tell_member(acting_user, membership: Membership, kind: str, reason: str = "") -> None:
    notifications.notify(
        user_ids=[membership.user_id], kind=kind, actor=acting_user, group=membership.group,
        link=reverse("groups:detail", args=[membership.group.slug]), detail=reason,
    )  # fmt: skip


@transaction.atomic
def membership_decline(*, acting_user, membership: Membership, reason: str = "") -> Membership:
    permissions.check(acting_user, Capability.APPROVE_JOIN, membership.group)
    membership = _pending_request(membership)
    membership.state = State.DECLINED
    membership.decision_reason = reason
    membership.decided_at = timezone.now()
    membership.save()
    log_action(
        actor=acting_user, action=Action.REQUEST_DECLINED, group=membership.group,
        target_user=membership.user, reason=reason,
    )  # fmt: skip
    queue.close_items_for(kind=ReviewItem.Kind.JOIN_REQUEST,
                          target_key=_request_key(membership), actor=acting_user,
                          decision="decline", reason=reason)  # fmt: skip
    _tell_member(acting_user, membership, Notification.Kind.REQUEST_DECLINED, reason)
    return membership


def _active_target(acting_user, membership: Membership) -> Membership:
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "group")
        .get(pk=membership.pk)
    )
    if locked.state != State.ACTIVE:
        raise ValidationError(_("This person is not a member of the group any more."))
    permissions.check_can_act_on(acting_user, locked)
    return locked


def _change_leader_role(acting_user, membership, *, was, becomes, action, refusal) -> Membership:
    permissions.check(acting_user, Capability.MANAGE_LEADERS, membership.group)
    membership = _active_target(acting_user, membership)
    if membership.role != was:
        raise ValidationError(refusal)
    membership.role = becomes
    membership.save(update_fields=["role", "updated_at"])
    access_changed(membership.user)
    log_action(actor=acting_user, action=action, group=membership.group,
               target_user=membership.user)  # fmt: skip
    return membership


@transaction.atomic
def leader_appoint(*, acting_user, membership: Membership) -> Membership:
    return _change_leader_role(
        acting_user, membership, was=Role.MEMBER, becomes=Role.LEADER,
        action=Action.LEADER_APPOINTED, refusal=_("This person is already a peer leader."),
    )  # fmt: skip


@transaction.atomic
def leader_remove(*, acting_user, membership: Membership) -> Membership:
    return _change_leader_role(
        acting_user, membership, was=Role.LEADER, becomes=Role.MEMBER,
        action=Action.LEADER_REMOVED, refusal=_("This person is not a peer leader."),
    )  # fmt: skip


@transaction.atomic
def ownership_transfer(*, acting_user, membership: Membership) -> Membership:
    """Hand the group to another active member; the old owner stays as a leader."""
    group = membership.group
    permissions.check(acting_user, Capability.TRANSFER_OWNERSHIP, group)
    new_owner = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=membership.pk)
    )
    if new_owner.state != State.ACTIVE or new_owner.user.is_deleted:
        raise ValidationError(_("Only a current member can become the owner."))
    if new_owner.role == Role.OWNER:
        raise ValidationError(_("This person already owns the group."))
    old_owner = (
        Membership.objects.select_for_update()
        .filter(group=group, role=Role.OWNER, state=State.ACTIVE)
        .first()
    )
    if old_owner is not None:
        old_owner.role = Role.LEADER
        old_owner.save(update_fields=["role", "updated_at"])
    new_owner.role = Role.OWNER
    new_owner.save(update_fields=["role", "updated_at"])
    log_action(
        actor=acting_user, action=Action.OWNERSHIP_TRANSFERRED, group=group,
        target_user=new_owner.user,
    )  # fmt: skip
    permissions.forget_memberships(acting_user)
    return new_owner


@transaction.atomic
def membership_accept_rules(*, acting_user, group: Group) -> Membership:
    membership = _own_active_membership(
        acting_user, group, _("Only members accept a group's rules.")
    )
    membership.accepted_rules_version = group.rules_version
    membership.save(update_fields=["accepted_rules_version", "updated_at"])
    permissions.forget_memberships(acting_user)
    return membership


@transaction.atomic
def membership_set_listed(*, acting_user, group: Group, listed: bool) -> Membership:
    membership = _own_active_membership(
        acting_user, group, _("Only members appear in the member list.")
    )
    membership.hidden_from_member_list = not listed
    membership.save(update_fields=["hidden_from_member_list", "updated_at"])
    permissions.forget_memberships(acting_user)
    return membership


# Invite links


@transaction.atomic
def invite_create(*, acting_user, group: Group, expires_at=None, max_uses=None) -> Invite:
    permissions.check(acting_user, Capability.MANAGE_INVITES, group)
    invite = Invite.objects.create(
        group=group, created_by=acting_user, expires_at=expires_at, max_uses=max_uses
    )
    log_action(
        actor=acting_user, action=Action.INVITE_CREATED, group=group, invite=invite.pk,
        expires_at=expires_at.isoformat() if expires_at else None, max_uses=max_uses,
    )  # fmt: skip
    return invite


@transaction.atomic
def invite_revoke(*, acting_user, invite: Invite) -> Invite:
    permissions.check(acting_user, Capability.MANAGE_INVITES, invite.group)
    invite = Invite.objects.select_for_update().get(pk=invite.pk)
    if invite.revoked_at is None:
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["revoked_at"])
        log_action(
            actor=acting_user, action=Action.INVITE_REVOKED, group=invite.group,
            invite=invite.pk,
        )  # fmt: skip
    return invite


@transaction.atomic
def invite_accept(*, acting_user, invite: Invite, accepted_rules: bool) -> Membership:
    """Join through an invite link, whatever the group's join policy; bans still hold."""
    invite = (
        Invite.objects.select_for_update(of=("self",)).select_related("group").get(pk=invite.pk)
    )
    group = invite.group
    if not invite.is_usable or group.status != Group.Status.ACTIVE:
        raise ValidationError(_("This invite link has expired or been withdrawn."))
    membership = _locked_membership(acting_user, group)
    if membership is not None and membership.state == State.BANNED:
        raise PermissionDenied(_("You have been banned from this group."))
    if membership is not None and membership.state == State.ACTIVE:
        return membership
    _require_rules_accepted(accepted_rules)
    membership = membership or Membership(user=acting_user, group=group)
    _make_active(membership, group)
    membership.accepted_rules_version = group.rules_version
    membership.save()
    Invite.objects.filter(pk=invite.pk).update(use_count=F("use_count") + 1)
    if invite.created_by_id:
        notifications.notify(
            user_ids=[invite.created_by_id], kind=Notification.Kind.INVITE_USED,
            actor=acting_user, group=group, link=_members_link(group),
        )  # fmt: skip
    permissions.forget_memberships(acting_user)
    return membership


def _members_link(group: Group) -> str:
    return reverse("groups:members", args=[group.slug])
