from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from groups import permissions, selectors
from groups.forms import GroupForm
from groups.fragments import render_each
from groups.services import groups as group_services


@require_GET
def directory_view(request):
    query = request.GET.get("q", "").strip()[:100]
    topic = request.GET.get("topic", "").strip()[:60]
    sort = request.GET.get("sort", "activity")
    groups = list(selectors.directory(request.user, query=query, topic=topic, sort=sort))
    mine_by_group = permissions.memberships_by_group(request.user)
    memberships = {group.pk: mine_by_group.get(group.pk) for group in groups}
    mine = [group for group in groups if memberships[group.pk] and memberships[group.pk].is_active]
    others = [group for group in groups if group not in mine]

    def card(group) -> dict:
        """All a group's card shows (cached by it: groups/fragments.py)."""
        membership = memberships[group.pk]
        return {
            "slug": group.slug, "name": group.name, "short_description": group.short_description,
            "member_count": group.member_count, "visibility": str(group.visibility_label),
            "my_state": membership.state if membership else "",
            "my_role": membership.role if membership else "",
            "topics": tuple(topic.name for topic in group.topics.all()),
        }  # fmt: skip

    context = {
        "my_cards": render_each("groups/directory.html#card", mine, card),
        "other_cards": render_each("groups/directory.html#card", others, card),
        "topics": selectors.topics(),
        "query": query,
        "topic": topic,
        "sort": sort if sort in selectors.SORTS else "activity",
        "searching": bool(query or topic),
        "proposals": selectors.proposals_of(request.user),
        "can_propose": permissions.can_propose_groups(request.user),
        "opens_at_once": permissions.can_open_groups_without_approval(request.user),
    }
    return render(request, "groups/directory.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_create_view(request):
    if not permissions.can_propose_groups(request.user):
        raise PermissionDenied(_("Only trusted members can propose new groups."))
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = group_services.group_create(acting_user=request.user, **form.cleaned_data)
        if group.status == group.Status.PROPOSED:
            messages.success(
                request,
                _("Thank you. An administrator will look at your proposal; "
                  "until then only you can see the group."),
            )  # fmt: skip
        else:
            messages.success(request, _("The group is open."))
        return redirect("groups:detail", slug=group.slug)
    context = {
        "form": form, "creating": True,
        "opens_at_once": permissions.can_open_groups_without_approval(request.user),
    }  # fmt: skip
    return render(request, "groups/group_form.html", context)
