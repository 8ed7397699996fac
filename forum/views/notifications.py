from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from forum import selectors
from forum.notification_forms import NotificationSettingsForm
from groups.services import notifications


@login_required
@require_GET
def notifications_view(request):
    # Opening the centre marks nothing read: the member opens one (it goes to its
    # link) or marks all read with the button, and the bell follows.
    shown = selectors.notifications_for(request.user)
    unread = any(note.read_at is None for note in shown)
    return render(request, "forum/notifications.html",
                  {"notifications": shown, "any_unread": unread})  # fmt: skip


@login_required
@require_GET
def notification_open_view(request, pk):
    """Open one notification: it is marked read and the member goes to what it is
    about (or back to the centre when it has no link). Only one's own, still visible."""
    note = selectors.notification_for(request.user, pk)
    if note is None:
        raise Http404
    notifications.notifications_mark_read(user=request.user, notification_ids=[note.pk])
    link = note.link
    if not link or not url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(f"{reverse('forum:notifications')}#notification-{note.pk}")
    return redirect(link)


@login_required
@require_POST
def notifications_read_all_view(request):
    marked = notifications.notifications_mark_read(user=request.user)
    if marked:
        messages.success(request, _("All your notifications are marked read."))
    else:
        messages.info(request, _("There was nothing unread."))
    return redirect("forum:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings_view(request):
    form = NotificationSettingsForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account_services.user_update_notification_settings(
            acting_user=request.user, user=request.user, choices=form.choices(),
            digest=data["digest"], quiet_from=data["quiet_from"],
            quiet_until=data["quiet_until"], email_on=data["email_on"],
            urgent_in_quiet_hours=data["urgent_in_quiet_hours"],
        )  # fmt: skip
        messages.success(request, _("Your notification choices are saved."))
        return redirect("forum:notification_settings")
    return render(request, "forum/notification_settings.html", {"form": form})
