"""Discussion threads: list, read, start, reply, pin and lock."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum import selectors
from forum.forms import PostForm, ThreadForm
from forum.links import post_link, thread_url
from forum.models import Post
from forum.services import reading
from forum.services import threads as services
from groups import permissions
from groups.forms import add_form_errors
from groups.fragments import render_each
from groups.permissions import Capability


def _group(request, slug, capability=Capability.READ):
    group = permissions.get_group_for_user(request.user, slug)
    permissions.check(request.user, capability, group)
    return group


@login_required
@require_GET
def thread_list_view(request, slug):
    group = _group(request, slug)
    paginator = Paginator(selectors.thread_list(request.user, group), selectors.THREADS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "group": group,
        "page": page,
        "rows": render_each(
            "forum/list.html#row", page.object_list, lambda t: _row_values(t, group.slug)
        ),
        "can_start": permissions.can(request.user, Capability.START_THREAD, group),
        "membership": permissions.membership_of(request.user, group),
    }
    return render(request, "forum/list.html", context)


def _row_values(thread, slug: str) -> dict:
    """All a thread's row shows (the row is cached by it: peersupport/fragments.py)."""
    unread = ""
    if thread.is_published and thread.last_read_number is None:
        unread = "never"
    elif thread.is_published and thread.last_read_number < thread.last_post_number:
        unread = "new-posts"
    return {
        "slug": slug, "pk": thread.pk, "title": thread.title,
        "pinned": thread.is_pinned, "locked": thread.is_locked,
        "published": thread.is_published, "author": thread.author.public_name,
        "post_count": thread.published_post_count,
        "last_activity": thread.last_activity_at, "unread": unread,
    }  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def thread_create_view(request, slug):
    group = _group(request, slug, Capability.START_THREAD)
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
    return render(request, "forum/new.html", {"group": group, "form": form})


def _page(request, last_page: int) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), last_page))
    except ValueError:
        return 1


@login_required
@require_GET
def thread_view(request, slug, pk):
    thread = selectors.get_thread_for_user(request.user, _group(request, slug), pk)
    group = thread.group
    pointer = selectors.read_state(request.user, thread)
    read_before = pointer.last_read_number if pointer else 0
    if request.GET.get("unread"):
        first_unread = min(read_before + 1, thread.last_post_number)
        return redirect(thread_url(thread, number=first_unread))
    last_page = selectors.page_of(thread.last_post_number)
    page = _page(request, last_page)
    is_leader = permissions.can(request.user, Capability.MODERATE, group)
    posts = selectors.visible_posts(request.user, thread, page, is_leader=is_leader)
    numbers = [post.number for post in posts if post.number]
    if numbers:
        reading.read_state_advance(
            user=request.user, thread=thread, number=max(numbers), known=pointer
        )
    can_post = permissions.can_reply(request.user, thread)
    viewer = {
        "slug": group.slug, "is_leader": is_leader, "read_before": read_before,
        "can_edit": permissions.can_edit_in_thread(request.user, thread),
        "can_react": permissions.can(request.user, Capability.REACT, group),
        "can_report": permissions.can(request.user, Capability.REPORT, group),
    }  # fmt: skip
    context = {
        "group": group, "thread": thread, "page": page,
        "post_fragments": render_each(
            "forum/thread.html#post", posts, lambda post: _post_values(post, request.user, viewer)
        ),
        "pages": range(1, last_page + 1), "last_page": last_page, "read_before": read_before,
        "is_leader": is_leader, "can_post": can_post, "can_react": viewer["can_react"],
        "form": PostForm() if can_post else None,
        "membership": permissions.membership_of(request.user, group),
    }  # fmt: skip
    return render(request, "forum/thread.html", context)


def _post_values(post, user, viewer: dict) -> dict:
    """All a post's fragment shows, for this viewer (cached by it: groups/fragments.py)."""
    own = post.author_id == user.pk
    read_before = viewer["read_before"]
    return {
        "slug": viewer["slug"], "pk": post.pk, "number": post.number, "state": post.state,
        "author": post.author.public_name, "created_at": post.created_at, "html": post.html,
        "edited": bool(post.edited_at) and post.state != Post.State.REMOVED_BY_AUTHOR,
        "is_leader": viewer["is_leader"],
        "show_history": viewer["is_leader"] and post.has_revisions,
        "is_new": bool(read_before and post.number and post.number > read_before),
        "own": own, "reason": post.moderation_reason,
        "content_warning": post.get_content_warning_display() if post.content_warning else "",
        "content_warning_note": post.content_warning_note,
        "reactions": post.reaction_summary, "can_react": viewer["can_react"] and not own,
        "can_edit": viewer["can_edit"], "can_report": viewer["can_report"],
    }  # fmt: skip


@login_required
@require_POST
def reply_view(request, slug, pk):
    thread = selectors.get_thread_for_user(request.user, _group(request, slug), pk)
    # Locks are refused by the service, on the form, so the draft is kept.
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
    return render(request, "forum/reply.html", context, status=400)


@login_required
@require_POST
def thread_moderate_view(request, slug, pk, change):
    thread = selectors.get_thread_for_user(request.user, _group(request, slug), pk)
    if change in {"pin", "unpin"}:
        services.thread_set_pinned(acting_user=request.user, thread=thread, pinned=change == "pin")
    else:
        services.thread_set_locked(acting_user=request.user, thread=thread, locked=change == "lock")
    return redirect(thread_url(thread))
