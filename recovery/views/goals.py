from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from groups import permissions as group_permissions
from groups.forms import add_form_errors
from groups.permissions import Capability
from recovery import selectors
from recovery.days import local_today
from recovery.forms import GoalForm, RestartForm, ShareMilestoneForm
from recovery.permissions import get_goal_for_user
from recovery.services import goals as goal_services


@login_required
@require_GET
def index_view(request):
    today = local_today(request.user)
    offer_support = selectors.offers_support(request.user, today)
    context = {
        "goals": selectors.goals_with_progress(request.user, today),
        "today_check_in": selectors.check_in_for(request.user, today),
        "offer_support": offer_support,
        "leader_groups": selectors.groups_whose_leaders_i_can_ask(request.user)
        if offer_support else [],
        "has_plan": selectors.safety_plan_of(request.user) is not None,
    }  # fmt: skip
    return render(request, "recovery/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def goal_new_view(request):
    form = GoalForm(request.POST or None, initial={"started_on": local_today(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            goal = goal_services.goal_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Your goal is saved. Only you can see it."))
            return redirect("recovery:goal", goal.pk)
    return render(request, "recovery/goal_new.html", {"form": form})


@login_required
@require_GET
def goal_view(request, pk):
    goal = get_goal_for_user(request.user, pk)
    view = selectors.goal_with_progress(goal, local_today(request.user))
    return render(request, "recovery/goal.html", {"view": view, "goal": goal})


@login_required
@require_http_methods(["GET", "POST"])
def goal_restart_view(request, pk):
    goal = get_goal_for_user(request.user, pk)
    form = RestartForm(request.POST or None, initial={"slipped_on": local_today(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            goal_services.goal_restart(acting_user=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("You've started again. Every day you did still counts."))
            return redirect("recovery:goal", goal.pk)
    view = selectors.goal_with_progress(goal, local_today(request.user))
    return render(request, "recovery/goal_restart.html", {"form": form, "view": view})


@login_required
@require_http_methods(["GET", "POST"])
def milestone_view(request, pk, days):
    """Mark a milestone: privately, or, if the member chooses, in one of their groups."""
    goal = get_goal_for_user(request.user, pk)
    groups = selectors.my_groups(request.user, Capability.START_THREAD)
    initial = {
        "title": _("A milestone: %(days)d days") % {"days": days},
        "body": _("Today I reached %(days)d days on my recovery journey.") % {"days": days},
    }
    form = ShareMilestoneForm(request.POST or None, groups=groups, initial=initial)
    if request.method == "POST":
        try:
            if "share" not in request.POST:
                goal_services.milestone_celebrate(acting_user=request.user, goal=goal, days=days)
                messages.success(request, _("Well done. This one is yours."))
                return redirect("recovery:goal", goal.pk)
            if form.is_valid():
                group = group_permissions.get_group_for_user(
                    request.user, form.cleaned_data["group"]
                )
                thread = goal_services.milestone_share(
                    acting_user=request.user, goal=goal, days=days, group=group,
                    title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                )  # fmt: skip
                shared = (_("Shared with %(group)s.") if thread.is_published else
                          _("Sent to %(group)s: a peer leader will look at it before others "
                            "see it."))  # fmt: skip
                messages.success(request, shared % {"group": group.name})
                return redirect("recovery:goal", goal.pk)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                error = ValidationError(str(error))
            add_form_errors(form, error)
    view = selectors.goal_with_progress(goal, local_today(request.user))
    context = {"form": form, "view": view, "days": days, "groups": groups}
    return render(request, "recovery/milestone.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def goal_delete_view(request, pk):
    goal = get_goal_for_user(request.user, pk)
    if request.method == "POST":
        goal_services.goal_delete(acting_user=request.user, goal=goal)
        messages.success(request, _("The goal is removed, with its days and notes."))
        return redirect("recovery:index")
    view = selectors.goal_with_progress(goal, local_today(request.user))
    return render(request, "recovery/goal_delete.html", {"view": view, "goal": goal})
