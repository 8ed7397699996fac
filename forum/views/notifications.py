from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import services as account_services
from forum import selectors
from forum.notification_forms import NotificationSettingsForm
from groups.services import notifications


@login_required
@require_GET
def notifications_view(request):
    shown = selectors.notifications_for(request.user)
    # Seen now: the bell clears, and this page still marks what was new.
    notifications.notifications_mark_read(user=request.user)
    return render(request, "forum/notifications.html", {"notifications": shown})


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
