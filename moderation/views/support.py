"""Help for a member who may be at risk, and the playbook for the leaders who answer."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from groups import permissions
from groups.forms import add_form_errors
from groups.permissions import Capability
from moderation.forms import SupportForm
from moderation.services.support import support_request
from safety import helplines

FALLBACK_COUNTRY = "US"


@login_required
@require_http_methods(["GET", "POST"])
def support_view(request, slug):
    """ "I need support now": help at once, and, if the member chooses, the group's
    leaders are told."""
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.READ, group)
    form = SupportForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        try:
            support_request(acting_user=request.user, group=group,
                            message=form.cleaned_data["message"])  # fmt: skip
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            sent = True
    countries = helplines.all_countries()
    local = helplines.help_for(str(request.user.country) or None, countries) or helplines.help_for(
        FALLBACK_COUNTRY, countries
    )
    context = {
        "group": group, "form": form, "sent": sent, "local": local,
        "international": helplines.international(countries),
        "is_member": permissions.can(request.user, Capability.SEE_MEMBERS, group),
    }  # fmt: skip
    return render(request, "moderation/support.html", context)


@login_required
@require_GET
def playbook_view(request):
    if not permissions.leads_any_group(request.user):
        raise PermissionDenied(_("The leader playbook is for peer leaders."))
    return render(request, "moderation/playbook.html")
