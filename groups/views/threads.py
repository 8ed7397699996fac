"""Discussion threads: list, read, start, reply, edit, remove, react, report, pin, lock."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups import permissions, selectors
from groups.forms import PostForm, ReasonForm, ReportForm, ThreadForm
from groups.models import Post, Thread
from groups.permissions import Capability
from groups.services import threads as services
from groups.views.membership import add_form_errors


def _thread(request, slug, pk) -> Thread:
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.READ, group)
    thread = get_object_or_404(Thread.objects.select_related("group", "author"), group=group, pk=pk)
    hidden_draft = not thread.is_published and thread.author_id != request.user.pk
    if hidden_draft and not permissions.can(request.user, Capability.MODERATE, group):
        raise Http404
    return thread


def _post(request, slug, pk) -> Post:
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.READ, group)
    post = get_object_or_404(
        Post.objects.select_related("thread__group", "author"), thread__group=group, pk=pk
    )
    unpublished = post.state in {Post.State.HELD, Post.State.REJECTED}
    if (
        unpublished
        and post.author_id != request.user.pk
        and not permissions.can(request.user, Capability.MODERATE, group)
    ):
        raise Http404
    return post


def post_link(post: Post) -> str:
    thread = post.thread
    url = reverse("groups:thread", args=[thread.group.slug, thread.pk])
    if not post.number:
        return f"{url}#held-{post.pk}"
    return f"{url}?page={selectors.page_of(post.number)}#post-{post.number}"


@login_required
@require_GET
def thread_list_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.READ, group)
    paginator = Paginator(selectors.thread_list(request.user, group), selectors.THREADS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "group": group,
        "page": page,
        "can_start": permissions.can(request.user, Capability.START_THREAD, group),
        "membership": permissions.membership_of(request.user, group),
    }
    return render(request, "groups/threads/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def thread_create_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.START_THREAD, group)
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_create(acting_user=request.user, group=group,
                                            **form.cleaned_data)  # fmt: skip
        except ValidationError as error:
            add_form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            if not thread.is_published:
                messages.info(request, _("Thank you. A peer leader will look at your thread "
                                         "soon; until then only you can see it."))  # fmt: skip
            # An explicit fragment, so the browser doesn't keep one from the form page.
            return redirect(post_link(thread.posts.get()))
    return render(request, "groups/threads/new.html", {"group": group, "form": form})


@login_required
@require_GET
def thread_view(request, slug, pk):
    thread = _thread(request, slug, pk)
    group = thread.group
    if request.GET.get("unread") and request.user.is_authenticated:
        state = thread.read_states.filter(user=request.user).first()
        first_unread = min((state.last_read_number if state else 0) + 1, thread.last_post_number)
        url = reverse("groups:thread", args=[group.slug, thread.pk])
        return redirect(f"{url}?page={selectors.page_of(first_unread)}#post-{first_unread}")
    last_page = selectors.page_of(thread.last_post_number)
    try:
        page = max(1, min(int(request.GET.get("page", 1)), last_page))
    except ValueError:
        page = 1
    is_leader = permissions.can(request.user, Capability.MODERATE, group)
    posts = selectors.visible_posts(request.user, thread, page, is_leader=is_leader)
    read_before = 0
    if request.user.is_authenticated:
        state = thread.read_states.filter(user=request.user).first()
        read_before = state.last_read_number if state else 0
        numbers = [post.number for post in posts if post.number]
        if numbers:
            services.read_state_advance(user=request.user, thread=thread, number=max(numbers))
    can_post = permissions.can(request.user, Capability.POST, group) and not thread.is_locked
    context = {
        "group": group, "thread": thread, "posts": posts, "page": page,
        "pages": range(1, last_page + 1), "last_page": last_page, "read_before": read_before,
        "is_leader": is_leader, "can_post": can_post,
        "can_react": permissions.can(request.user, Capability.REACT, group),
        "can_report": permissions.can(request.user, Capability.REPORT, group),
        "form": PostForm() if can_post else None,
        "membership": permissions.membership_of(request.user, group),
    }  # fmt: skip
    return render(request, "groups/threads/thread.html", context)


@login_required
@require_POST
def reply_view(request, slug, pk):
    thread = _thread(request, slug, pk)
    permissions.check(request.user, Capability.POST, thread.group)
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            post = services.post_create(
                acting_user=request.user, thread=thread, **form.cleaned_data
            )
        except ValidationError as error:
            add_form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            if post.state == Post.State.HELD:
                messages.info(request, _("Thank you. Your reply is waiting for a peer leader's "
                                         "approval; until then only you can see it."))  # fmt: skip
            return redirect(post_link(post))
    context = {"group": thread.group, "thread": thread, "form": form}
    return render(request, "groups/threads/reply.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def post_edit_view(request, slug, pk):
    post = _post(request, slug, pk)
    if post.author_id != request.user.pk:
        raise PermissionDenied(_("You can only change your own posts."))
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
    return render(request, "groups/threads/edit.html", {"post": post, "group": post.thread.group,
                                                        "form": form})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def post_delete_view(request, slug, pk):
    post = _post(request, slug, pk)
    if post.author_id != request.user.pk:
        raise PermissionDenied(_("You can only remove your own posts."))
    if request.method == "POST":
        services.post_delete(acting_user=request.user, post=post)
        messages.success(request, _("Your post is removed."))
        return redirect(post_link(post))
    return render(request, "groups/threads/delete.html", {"post": post, "group": post.thread.group})


@login_required
@require_POST
def react_view(request, slug, pk):
    post = _post(request, slug, pk)
    try:
        services.reaction_toggle(acting_user=request.user, post=post,
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
            services.post_report(acting_user=request.user, post=post, **form.cleaned_data)
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Thank you for telling us. The group's peer leaders will look at it. "
                  "Only they can see who reported."),
            )  # fmt: skip
        return redirect(post_link(post))
    return render(request, "groups/threads/report.html", {"post": post, "group": post.thread.group,
                                                          "form": form})  # fmt: skip


@login_required
@require_POST
def thread_moderate_view(request, slug, pk, change):
    thread = _thread(request, slug, pk)
    setting = {"pin": ("pinned", True), "unpin": ("pinned", False),
               "lock": ("locked", True), "unlock": ("locked", False)}[change]  # fmt: skip
    if setting[0] == "pinned":
        services.thread_set_pinned(acting_user=request.user, thread=thread, pinned=setting[1])
    else:
        services.thread_set_locked(acting_user=request.user, thread=thread, locked=setting[1])
    return redirect("groups:thread", slug=thread.group.slug, pk=thread.pk)


@login_required
@require_GET
def post_history_view(request, slug, pk):
    post = _post(request, slug, pk)
    permissions.check(request.user, Capability.MODERATE, post.thread.group)
    context = {"post": post, "group": post.thread.group,
               "revisions": selectors.post_revisions(post)}  # fmt: skip
    return render(request, "groups/threads/history.html", context)


@login_required
@require_GET
def held_posts_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.READ, group)
    permissions.check(request.user, Capability.MODERATE, group)
    context = {"group": group, "posts": selectors.held_posts(group), "form": ReasonForm()}
    return render(request, "groups/threads/held.html", context)


@login_required
@require_POST
def held_post_decide_view(request, slug, pk, decision):
    post = _post(request, slug, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("groups:held", slug=post.thread.group.slug)
    reason = form.cleaned_data["reason"]
    try:
        if decision == "approve":
            services.post_approve(acting_user=request.user, post=post)
            messages.success(request, _("The post is published."))
        else:
            services.post_reject(acting_user=request.user, post=post, reason=reason)
            messages.success(request, _("The post will not be published."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("groups:held", slug=post.thread.group.slug)


@login_required
@require_GET
def reports_view(request, slug):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, Capability.READ, group)
    permissions.check(request.user, Capability.MODERATE, group)
    return render(request, "groups/threads/reports.html",
                  {"group": group, "reports": selectors.reports_for(group)})  # fmt: skip
