"""What peer leaders and owners do: answer requests, run the member list, edit the
group, manage invite links."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups import permissions, selectors
from groups.forms import GroupEditForm, InviteForm, ReasonForm, RequiredReasonForm
from groups.models import Membership
from groups.permissions import Capability
from groups.services import groups as group_services
from groups.services import memberships, sanctions


def _membership_or_404(group, pk) -> Membership:
    try:
        return selectors.membership_in(group, pk)
    except Membership.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def requests_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.APPROVE_JOIN, group)
    context = {"group": group, "requests": selectors.pending_requests(group), "form": ReasonForm()}
    return render(request, "groups/requests.html", context)


@login_required
@require_POST
def request_decide_view(request, slug, pk, decision):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.APPROVE_JOIN, group)
    membership = _membership_or_404(group, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        # Nothing is decided on a reason we could not keep.
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("groups:requests", slug=group.slug)
    reason = form.cleaned_data["reason"]
    try:
        if decision == "approve":
            memberships.membership_approve(acting_user=request.user, membership=membership)
            messages.success(request, _("%(name)s is now a member.")
                             % {"name": membership.user.public_name})  # fmt: skip
        else:
            memberships.membership_decline(
                acting_user=request.user, membership=membership, reason=reason
            )
            messages.success(request, _("The request is declined."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("groups:requests", slug=group.slug)


@login_required
@require_GET
def members_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.SEE_MEMBERS, group)
    is_leader = permissions.can(request.user, Capability.REMOVE_MEMBER, group)
    members = list(selectors.member_list(group, include_hidden=is_leader))
    for member in members:
        member.can_be_acted_on = is_leader and permissions.can_act_on(request.user, member)
    context = {
        "group": group,
        "members": members,
        "is_leader": is_leader,
        "can_manage_leaders": permissions.can(request.user, Capability.MANAGE_LEADERS, group),
        "can_transfer": permissions.can(request.user, Capability.TRANSFER_OWNERSHIP, group),
    }
    return render(request, "groups/members.html", context)


MEMBER_ACTIONS = {
    # action: (capability, service, needs a reason)
    "remove": (Capability.REMOVE_MEMBER, sanctions.sanction_remove, True),
    "ban": (Capability.BAN_MEMBER, sanctions.sanction_ban, True),
    "appoint": (Capability.MANAGE_LEADERS, memberships.leader_appoint, False),
    "demote": (Capability.MANAGE_LEADERS, memberships.leader_remove, False),
    "transfer": (Capability.TRANSFER_OWNERSHIP, memberships.ownership_transfer, False),
}
CONFIRMATIONS = {
    "remove": _("%(name)s has been removed from the group."),
    "ban": _("%(name)s has been banned from the group."),
    "appoint": _("%(name)s is now a peer leader."),
    "demote": _("%(name)s is no longer a peer leader."),
    "transfer": _("%(name)s now owns the group. You remain a peer leader."),
}


@login_required
@require_http_methods(["GET", "POST"])
def member_action_view(request, slug, pk, action):
    group = permissions.get_group_for_user(request.user, slug)
    capability, service, needs_reason = MEMBER_ACTIONS[action]
    permissions.check(request.user, capability, group)
    membership = _membership_or_404(group, pk)
    permissions.check_can_act_on(request.user, membership)
    form = RequiredReasonForm(request.POST or None) if needs_reason else None
    if request.method == "POST" and (form is None or form.is_valid()):
        kwargs = {"reason": form.cleaned_data["reason"]} if form else {}
        try:
            service(acting_user=request.user, membership=membership, **kwargs)
            messages.success(request, CONFIRMATIONS[action] % {"name": membership.user.public_name})
            return redirect("groups:members", slug=group.slug)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("groups:members", slug=group.slug)
    context = {"group": group, "membership": membership, "action": action, "form": form}
    return render(request, "groups/member_action.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.EDIT_GROUP, group)
    can_change_access = permissions.can(request.user, Capability.CHANGE_VISIBILITY, group)
    form = GroupEditForm(request.POST or None, instance=group, can_change_access=can_change_access)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields
                   if not form.fields[name].disabled}  # fmt: skip
        group.refresh_from_db()
        try:
            group_services.group_update(acting_user=request.user, group=group, **changes)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The group is updated."))
            return redirect("groups:detail", slug=group.slug)
    return render(request, "groups/group_form.html", {"form": form, "group": group})


@login_required
@require_http_methods(["GET", "POST"])
def invites_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.MANAGE_INVITES, group)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        memberships.invite_create(
            acting_user=request.user, group=group,
            expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
            max_uses=form.cleaned_data["max_uses"],
        )  # fmt: skip
        messages.success(request, _("A new invite link is ready. Copy it from the list below."))
        return redirect("groups:invites", slug=group.slug)
    context = {"group": group, "form": form, "invites": selectors.invites_of(group)}
    return render(request, "groups/invites.html", context)


@login_required
@require_POST
def invite_revoke_view(request, slug, pk):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.MANAGE_INVITES, group)
    invite = get_object_or_404(selectors.invites_of(group), pk=pk)
    memberships.invite_revoke(acting_user=request.user, invite=invite)
    messages.success(request, _("The link no longer works."))
    return redirect("groups:invites", slug=group.slug)


@login_required
@require_GET
def log_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.TRANSFER_OWNERSHIP, group)
    entries = selectors.moderation_log(group)
    return render(request, "groups/log.html", {"group": group, "entries": entries})
