"""One post: edit, remove, react, report, its history; held posts and reports for
the group's leaders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum import selectors
from forum.forms import PostForm
from forum.links import post_link
from forum.services import posts as services
from forum.services import reactions
from groups import limits, permissions
from groups.forms import REPORT_THANKS, ReasonForm, ReportForm, add_form_errors
from groups.permissions import Capability


def _post(request, slug, pk):
    group = permissions.get_group_for_user(request.user, slug)
    return selectors.get_post_for_user(request.user, group, pk)


def _leading(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.READ, group)
    permissions.check(request.user, Capability.MODERATE, group)
    return group


@login_required
@require_http_methods(["GET", "POST"])
def post_edit_view(request, slug, pk):
    post = _post(request, slug, pk)
    permissions.check_is_author(request.user, post)
    initial = {"body": post.body, "content_warning": post.content_warning,
               "content_warning_note": post.content_warning_note}  # fmt: skip
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(acting_user=request.user, post=post, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your post is updated."))
            return redirect(post_link(post))
    context = {"post": post, "group": post.thread.group, "form": form}
    return render(request, "forum/edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_delete_view(request, slug, pk):
    post = _post(request, slug, pk)
    permissions.check_is_author(request.user, post)
    if request.method == "POST":
        services.post_delete(acting_user=request.user, post=post)
        messages.success(request, _("Your post is removed."))
        return redirect(post_link(post))
    return render(request, "forum/delete.html", {"post": post, "group": post.thread.group})


@login_required
@require_POST
def react_view(request, slug, pk):
    post = _post(request, slug, pk)
    try:
        reactions.reaction_toggle(acting_user=request.user, post=post,
                                  kind=request.POST.get("kind", ""))  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(post_link(post))


@login_required
@require_http_methods(["GET", "POST"])
def report_view(request, slug, pk):
    post = _post(request, slug, pk)
    permissions.check(request.user, Capability.REPORT, post.thread.group)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reactions.post_report(acting_user=request.user, post=post, **form.cleaned_data)
        except limits.RateLimited as error:
            add_form_errors(form, error)  # the form again, with the note they wrote
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
            return redirect(post_link(post))
        else:
            messages.success(request, REPORT_THANKS)
            return redirect(post_link(post))
    context = {"post": post, "group": post.thread.group, "form": form}
    return render(request, "forum/report.html", context)


@login_required
@require_GET
def post_history_view(request, slug, pk):
    post = _post(request, slug, pk)
    permissions.check(request.user, Capability.MODERATE, post.thread.group)
    context = {"post": post, "group": post.thread.group,
               "revisions": selectors.post_revisions(post)}  # fmt: skip
    return render(request, "forum/history.html", context)


@login_required
@require_GET
def held_posts_view(request, slug):
    group = _leading(request, slug)
    context = {"group": group, "posts": selectors.held_posts(group), "form": ReasonForm()}
    return render(request, "forum/held.html", context)


@login_required
@require_POST
def held_post_decide_view(request, slug, pk, decision):
    post = _post(request, slug, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("forum:held", slug=post.thread.group.slug)
    try:
        if decision == "approve":
            services.post_approve(acting_user=request.user, post=post)
            messages.success(request, _("The post is published."))
        else:
            services.post_reject(acting_user=request.user, post=post,
                                 reason=form.cleaned_data["reason"])  # fmt: skip
            messages.success(request, _("The post will not be published."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("forum:held", slug=post.thread.group.slug)


@login_required
@require_GET
def reports_view(request, slug):
    group = _leading(request, slug)
    context = {"group": group, "reports": selectors.post_reports(group)}
    return render(request, "forum/reports.html", context)
