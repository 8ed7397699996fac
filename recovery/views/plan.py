from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from groups.forms import add_form_errors
from recovery import selectors
from recovery.forms import SafetyPlanForm
from recovery.plan import SECTIONS
from recovery.services.plans import safety_plan_save
from safety import helplines

FALLBACK_COUNTRY = "US"


def _crisis_lines(user):
    countries = helplines.all_countries()
    local = helplines.help_for(str(user.country) or None, countries) or helplines.help_for(
        FALLBACK_COUNTRY, countries
    )
    return local, helplines.international(countries)


@login_required
@require_GET
def plan_view(request):
    """The member's plan, ready to read on a bad day or to print."""
    plan = selectors.safety_plan_of(request.user)
    saved = plan.sections if plan else {}
    local, international = _crisis_lines(request.user)
    context = {
        "plan": plan,
        "sections": [(key, heading, saved.get(key, "")) for key, heading, _prompt in SECTIONS],
        "local": local, "international": international,
    }  # fmt: skip
    return render(request, "recovery/plan.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_view(request):
    plan = selectors.safety_plan_of(request.user)
    form = SafetyPlanForm(request.POST or None, initial=plan.sections if plan else {})
    if request.method == "POST" and form.is_valid():
        try:
            safety_plan_save(acting_user=request.user, sections=form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Your safety plan is saved. Only you can see it."))
            return redirect("recovery:plan")
    local, international = _crisis_lines(request.user)
    context = {"form": form, "local": local, "international": international}
    return render(request, "recovery/plan_edit.html", context)
