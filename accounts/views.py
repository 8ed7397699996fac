from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import DeleteAccountForm, ProfileForm
from accounts.unsubscribe import user_for_token


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(
            acting_user=request.user, user=request.user, **form.cleaned_data
        )
        messages.success(request, _("Your settings are saved."))
        return redirect("accounts:settings")
    if form.errors:
        # The instance was changed by validation; show what the member typed.
        request.user.refresh_from_db()
    return render(request, "accounts/settings.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete_view(request):
    form = DeleteAccountForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        services.user_delete(acting_user=request.user, user=request.user, request=request)
        messages.success(
            request,
            _("Your account is deleted. Thank you for being part of the community. Take care."),
        )
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})


# Mail programs send the one-click POST (RFC 8058) without a CSRF token; the signed
# token in the address is what authorises it, and all it can do is stop email.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token):
    user = user_for_token(token)
    if user is None:
        raise Http404
    if request.method == "POST":
        services.user_unsubscribe(user=user)
        return render(request, "accounts/unsubscribed.html")
    return render(request, "accounts/unsubscribe.html")
