"""The moderation queue, for peer leaders and administrators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from forum.services.threads import post_snapshot
from groups import permissions
from groups.forms import add_form_errors
from groups.models import Report, ReviewItem
from groups.sockets import CLOSE_CODES
from moderation import selectors
from moderation.forms import ItemActionForm
from moderation.services import claims
from moderation.services.decisions import actions_for, item_act


@login_required
@require_GET
def queue_view(request):
    if not permissions.can_open_queue(request.user):
        raise PermissionDenied(_("The moderation queue is for peer leaders."))
    filters = {name: request.GET.get(name, "") for name in ("group", "kind", "reason")}
    context = {
        "items": selectors.queue(request.user, group_slug=filters["group"], kind=filters["kind"],
                                 reason=filters["reason"]),
        "kinds": ReviewItem.Kind.choices, "reasons": Report.Reason.choices,
        "groups": selectors.queue_groups(request.user), "filters": filters,
        "close_codes": CLOSE_CODES,
    }  # fmt: skip
    template = "moderation/queue.html"
    if request.GET.get("partial"):
        template += "#queue-list"
    return render(request, template, context)


def _item(request, pk) -> ReviewItem:
    item = selectors.item_for_user(request.user, pk)
    if item is None:
        raise Http404
    return item


def _item_page(request, item, form, status=200):
    context = {
        "item": item, "form": form, **selectors.item_details(item),
        "actions": actions_for(item) if item.is_live else [],
        "held_by_me": item.claim_is_held_by(request.user),
    }  # fmt: skip
    context["snapshot_differs"] = bool(item.post and item.snapshot != post_snapshot(item.post))
    return render(request, "moderation/item.html", context, status=status)


@login_required
@require_GET
def item_view(request, pk):
    return _item_page(request, _item(request, pk), ItemActionForm())


@login_required
@require_POST
def item_claim_view(request, pk):
    item = _item(request, pk)
    try:
        if request.POST.get("release"):
            claims.item_release(acting_user=request.user, item=item)
        else:
            claims.item_claim(acting_user=request.user, item=item)
            messages.success(request, _("It's yours for the next %(n)d minutes.")
                             % {"n": claims.CLAIM_MINUTES})  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("moderation:item", pk=item.pk)


@login_required
@require_POST
def item_act_view(request, pk):
    item = _item(request, pk)
    form = ItemActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        mute_until = data["mute_until"] if data["mute_for"] == "custom" else None
        if data["mute_for"] == "custom" and mute_until is None:
            form.add_error("mute_until", _("Please choose the date and time the mute ends."))
        else:
            try:
                item_act(
                    acting_user=request.user, item=item, action=data["action"],
                    reason=data["reason"], mute_for=data["mute_for"], mute_until=mute_until,
                    content_warning=data["content_warning"],
                )  # fmt: skip
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Done. It's in the moderation log."))
                return redirect("moderation:queue")
    item.refresh_from_db()
    return _item_page(request, item, form, status=400)
