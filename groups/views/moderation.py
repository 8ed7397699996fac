"""The moderation queue, for peer leaders and administrators; reporting members,
seeing what became of one's reports, and appealing a sanction."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups import permissions
from groups.forms import AppealForm, ItemActionForm, MemberReportForm
from groups.models import Group, Membership, Post, Report, ReviewItem, Sanction
from groups.permissions import Capability
from groups.services import moderation as queue
from groups.services import support
from groups.views.membership import add_form_errors
from safety import helplines


@login_required
@require_GET
def queue_view(request):
    if not permissions.leads_any_group(request.user):
        raise PermissionDenied(_("The moderation queue is for peer leaders."))
    items = (
        queue.live_items_visible_to(request.user)
        .select_related("group", "subject", "post__thread", "claimed_by")
        .annotate(report_count=Count("reports"), waiting=Coalesce("reopened_at", "created_at"))
    )
    group_slug = request.GET.get("group", "")
    kind = request.GET.get("kind", "")
    reason = request.GET.get("reason", "")
    if group_slug:
        items = items.filter(group__slug=group_slug)
    if kind in ReviewItem.Kind.values:
        items = items.filter(kind=kind)
    if reason in Report.Reason.values:
        items = items.filter(reasons__contains=[reason])
    items = items.order_by("urgency", "waiting", "pk")
    led_groups = Group.objects.filter(
        pk__in=queue.items_visible_to(request.user).values("group")
    ).order_by("name")
    context = {
        "items": list(items[:200]), "kinds": ReviewItem.Kind.choices,
        "reasons": Report.Reason.choices, "groups": led_groups,
        "filters": {"group": group_slug, "kind": kind, "reason": reason},
    }  # fmt: skip
    template = "groups/moderation/queue.html"
    if request.GET.get("partial"):
        template += "#queue-list"
    return render(request, template, context)


def _item(request, pk) -> ReviewItem:
    item = get_object_or_404(
        ReviewItem.objects.select_related(
            "group", "subject", "post__thread__group", "post__author", "membership__user",
            "chat_message__author",
            "sanction__appeal", "claimed_by", "decided_by",
        ),
        pk=pk,
    )  # fmt: skip
    if not queue.can_handle(request.user, item):
        raise Http404
    return item


@login_required
@require_GET
def item_view(request, pk):
    item = _item(request, pk)
    context_posts = []
    if item.post_id:
        post = item.post
        numbers = range((post.number or post.thread.last_post_number) - 2,
                        (post.number or post.thread.last_post_number) + 3)  # fmt: skip
        context_posts = list(
            Post.objects.filter(thread=post.thread, number__in=list(numbers))
            .exclude(pk=post.pk).select_related("author").order_by("number")
        )  # fmt: skip
    history_items, history_sanctions = [], []
    if item.subject_id and item.group_id:
        history_items = list(
            ReviewItem.objects.filter(group=item.group, subject=item.subject)
            .exclude(pk=item.pk).order_by("-created_at")[:20]
        )  # fmt: skip
        history_sanctions = list(Sanction.objects.filter(user=item.subject, group=item.group)[:20])
    context = {
        "item": item,
        "context_posts": context_posts,
        "reports": item.reports.select_related("reporter").order_by("created_at"),
        "events": item.events.select_related("actor"),
        "history_items": history_items,
        "history_sanctions": history_sanctions,
        "actions": queue.ACTIONS_BY_KIND[item.kind] if item.is_live else [],
        "form": ItemActionForm(),
        "held_by_me": item.claim_is_held_by(request.user),
        "snapshot_differs": bool(item.post_id and item.snapshot != queue.post_snapshot(item.post)),
    }
    return render(request, "groups/moderation/item.html", context)


@login_required
@require_POST
def item_claim_view(request, pk):
    item = _item(request, pk)
    try:
        if request.POST.get("release"):
            queue.item_release(acting_user=request.user, item=item)
        else:
            queue.item_claim(acting_user=request.user, item=item)
            messages.success(request, _("It's yours for the next %(n)d minutes.")
                             % {"n": queue.CLAIM_MINUTES})  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("moderation_item", pk=item.pk)


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
                item = queue.item_act(
                    acting_user=request.user, item=item, action=data["action"],
                    reason=data["reason"], mute_for=data["mute_for"], mute_until=mute_until,
                    content_warning=data["content_warning"],
                )  # fmt: skip
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Done. It's in the moderation log."))
                return redirect("moderation_queue")
    context = {
        "item": item, "form": form, "actions": queue.ACTIONS_BY_KIND[item.kind],
        "reports": item.reports.select_related("reporter"), "events": item.events.all(),
        "held_by_me": item.claim_is_held_by(request.user), "context_posts": [],
        "history_items": [], "history_sanctions": [],
    }  # fmt: skip
    return render(request, "groups/moderation/item.html", context, status=400)


@login_required
@require_GET
def my_reports_view(request):
    mine = (
        Report.objects.filter(reporter=request.user)
        .select_related("group", "post__thread", "reported_user", "review_item")
        .order_by("-created_at")[:100]
    )
    return render(request, "groups/moderation/my_reports.html", {"reports": mine})


@login_required
@require_http_methods(["GET", "POST"])
def member_report_view(request, slug, pk):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.REPORT, group)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), group=group, pk=pk,
        state=Membership.State.ACTIVE,
    )  # fmt: skip
    form = MemberReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            queue.member_report(acting_user=request.user, group=group, member=membership.user,
                                **form.cleaned_data)  # fmt: skip
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Thank you for telling us. The group's peer leaders will look into it. "
                  "Only they can see who reported."),
            )  # fmt: skip
        return redirect("groups:members", slug=group.slug)
    context = {"group": group, "membership": membership, "form": form}
    return render(request, "groups/moderation/member_report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_view(request, pk):
    sanction = get_object_or_404(
        Sanction.objects.select_related("group", "appeal"), pk=pk, user=request.user
    )
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            queue.appeal_create(acting_user=request.user, sanction=sanction,
                                message=form.cleaned_data["message"])  # fmt: skip
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Your appeal is sent. You'll see the answer on this page."))
            return redirect("appeal", pk=sanction.pk)
    item = (
        ReviewItem.objects.filter(
            kind=ReviewItem.Kind.APPEAL, target_key=f"sanction:{sanction.pk}"
        ).order_by("-created_at").first()
    )  # fmt: skip
    context = {"sanction": sanction, "form": form, "item": item}
    return render(request, "groups/moderation/appeal.html", context)


class SupportForm(forms.Form):
    message = forms.CharField(
        label=_("Anything you'd like the leaders to know (optional)"), required=False,
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


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
            support.support_request(acting_user=request.user, group=group,
                                    message=form.cleaned_data["message"])  # fmt: skip
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            sent = True
    countries = helplines.all_countries()
    local = helplines.help_for(str(request.user.country) or None, countries) or helplines.help_for(
        "US", countries
    )
    context = {
        "group": group, "form": form, "sent": sent, "local": local,
        "international": helplines.international(countries),
        "is_member": permissions.can(request.user, Capability.SEE_MEMBERS, group),
    }  # fmt: skip
    return render(request, "groups/support.html", context)
