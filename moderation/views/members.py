"""What members do with moderation: report a member, see what became of their
reports, appeal a sanction."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from groups import limits, permissions
from groups import selectors as group_selectors
from groups.forms import REPORT_THANKS, ReportForm, add_form_errors
from groups.models import Membership
from groups.permissions import Capability
from moderation import selectors
from moderation.forms import AppealForm
from moderation.services.appeals import appeal_create
from moderation.services.support import member_report


@login_required
@require_GET
def my_reports_view(request):
    return render(request, "moderation/my_reports.html",
                  {"reports": selectors.reports_by(request.user)})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def member_report_view(request, slug, pk):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.REPORT, group)
    try:
        membership = group_selectors.membership_in(group, pk)
    except Membership.DoesNotExist:
        raise Http404 from None
    if not membership.is_active:
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_report(acting_user=request.user, group=group, member=membership.user,
                          **form.cleaned_data)  # fmt: skip
        except limits.RateLimited as error:
            add_form_errors(form, error)  # the form again, with the note they wrote
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
            return redirect("groups:members", slug=group.slug)
        else:
            messages.success(request, REPORT_THANKS)
            return redirect("groups:members", slug=group.slug)
    context = {"group": group, "membership": membership, "form": form}
    return render(request, "moderation/member_report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_view(request, pk):
    sanction = selectors.own_sanction(request.user, pk)
    if sanction is None:
        raise Http404
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal_create(acting_user=request.user, sanction=sanction,
                          message=form.cleaned_data["message"])  # fmt: skip
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Your appeal is sent. You'll see the answer on this page."))
            return redirect("moderation:appeal", pk=sanction.pk)
    context = {"sanction": sanction, "form": form, "item": selectors.appeal_item(sanction)}
    return render(request, "moderation/appeal.html", context)
