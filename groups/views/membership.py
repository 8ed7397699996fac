"""A member's own journey: see a group, join or ask, accept the rules, leave."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups import permissions, selectors
from groups.forms import AcceptRulesForm, JoinRequestForm, ListedForm
from groups.models import Membership, ReviewItem
from groups.permissions import Capability
from groups.services import memberships


@require_GET
def group_detail_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    membership = permissions.membership_of(request.user, group)
    can = {capability.name.lower(): permissions.can(request.user, capability, group)
           for capability in Capability}  # fmt: skip
    context = {
        "group": group,
        "membership": membership,
        "can": can,
        "leaders": selectors.leaders_of(group),
        "member_count": selectors.active_member_count(group),
        "topics": selectors.topics_of(group),
        "invitation_only": group.join_policy == group.JoinPolicy.INVITE
        and not permissions.is_staff(request.user),
        "pending_count": selectors.pending_requests(group).count() if can["approve_join"] else 0,
        "held_count": selectors.live_item_count(group, ReviewItem.Kind.HELD_POST)
        if can["moderate"]
        else 0,
        "listed_form": ListedForm(initial={"listed": not membership.hidden_from_member_list})
        if membership and membership.is_active
        else None,
    }
    return render(request, "groups/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def join_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.JOIN, group)
    form = AcceptRulesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        memberships.membership_join(acting_user=request.user, group=group, accepted_rules=True)
        return redirect("groups:welcome", slug=group.slug)
    return render(request, "groups/join.html", {"group": group, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def request_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.REQUEST_TO_JOIN, group)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        memberships.membership_request(
            acting_user=request.user, group=group, message=form.cleaned_data["message"],
            accepted_rules=True,
        )  # fmt: skip
        messages.success(
            request, _("Your request is sent. The group's peer leaders will answer it soon.")
        )
        return redirect("groups:detail", slug=group.slug)
    return render(request, "groups/request.html", {"group": group, "form": form})


@login_required
@require_POST
def withdraw_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    try:
        memberships.membership_withdraw(acting_user=request.user, group=group)
        messages.success(request, _("Your request is withdrawn."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("groups:detail", slug=group.slug)


@login_required
@require_http_methods(["GET", "POST"])
def leave_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.LEAVE, group)
    if request.method == "POST":
        memberships.membership_leave(acting_user=request.user, group=group)
        messages.success(request, _("You have left %(group)s. You are welcome back any time.")
                         % {"group": group.name})  # fmt: skip
        return redirect("groups:directory")
    return render(request, "groups/leave.html", {"group": group})


@login_required
@require_GET
def welcome_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.READ, group)
    membership = permissions.membership_of(request.user, group)
    if membership is None or not membership.is_active:
        return redirect("groups:detail", slug=group.slug)
    return render(request, "groups/welcome.html", {"group": group})


@login_required
@require_http_methods(["GET", "POST"])
def accept_rules_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    membership = permissions.membership_of(request.user, group)
    if membership is None or not membership.is_active:
        return redirect("groups:detail", slug=group.slug)
    form = AcceptRulesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        memberships.membership_accept_rules(acting_user=request.user, group=group)
        messages.success(request, _("Thank you for accepting the updated rules."))
        return redirect("groups:detail", slug=group.slug)
    return render(request, "groups/accept_rules.html", {"group": group, "form": form})


@login_required
@require_POST
def listed_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    form = ListedForm(request.POST)
    form.is_valid()
    listed = form.cleaned_data.get("listed", False)
    memberships.membership_set_listed(acting_user=request.user, group=group, listed=listed)
    messages.success(
        request,
        _("You are shown in the member list.") if listed
        else _("You are hidden from the member list. Leaders can still see you."),
    )  # fmt: skip
    return redirect("groups:detail", slug=group.slug)


@login_required
@require_http_methods(["GET", "POST"])
def invite_accept_view(request, token):
    invite = selectors.invite_by_token(token)
    if invite is None:
        raise Http404
    group = invite.group
    membership = permissions.membership_of(request.user, group)
    if membership is not None and membership.state == Membership.State.ACTIVE:
        return redirect("groups:detail", slug=group.slug)
    usable = invite.is_usable and group.status == group.Status.ACTIVE
    banned = membership is not None and membership.state == Membership.State.BANNED
    form = AcceptRulesForm(request.POST or None)
    if request.method == "POST" and usable and not banned and form.is_valid():
        memberships.invite_accept(acting_user=request.user, invite=invite, accepted_rules=True)
        return redirect("groups:welcome", slug=group.slug)
    context = {"invite": invite, "group": group, "form": form, "usable": usable, "banned": banned}
    return render(request, "groups/invite_accept.html", context, status=200 if usable else 410)
