import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.forms import WelcomeForm
from groups import permissions
from peersupport.home import home_for
from peersupport.outages import is_database_outage

RETRY_AFTER_SECONDS = 120
# Never shown back: secrets, and what the browser sends for its own bookkeeping.
NOT_ECHOED = ("csrf", "password", "token", "secret", "code", "next")


def home(request):
    """Signed in: the member's own home. Signed out: what this place is."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    user = request.user
    context = {"home": home_for(user)}
    if user.onboarded_at is None:
        context["welcome_form"] = WelcomeForm(initial={"time_zone": user.time_zone})
    return render(request, "member_home.html", context)


@login_required
@require_POST
def welcome_view(request):
    """The first sign-in welcome, saved (with the time zone) or skipped."""
    form = WelcomeForm(request.POST)
    if "skip" not in request.POST and not form.is_valid():
        return render(request, "member_home.html",
                      {"home": home_for(request.user), "welcome_form": form})  # fmt: skip
    time_zone = form.cleaned_data["time_zone"] if "skip" not in request.POST else ""
    account_services.user_finish_welcome(acting_user=request.user, user=request.user,
                                         time_zone=time_zone)  # fmt: skip
    return redirect("home")


# Error pages render through the normal base template, so "Get help now" is on them
# too; they must not need the database, which may be what failed (see
# peersupport.context_processors.database).
@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    # Our PermissionDenied messages are written for the person reading them.
    reason = str(exception) if exception is not None and str(exception) else ""
    context = {
        "reason": reason,
        # A staff account without two-factor is refused like a member; say why.
        "staff_needs_two_factor": _staff_needs_two_factor(request),
    }
    return render(request, "errors/403.html", context, status=403)


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def too_many_requests(request, exception=None):
    return render(request, "errors/429.html", status=429)


@requires_csrf_token
def server_error(request):
    if is_database_outage(sys.exception()):
        return database_unavailable(request)
    return render(request, "errors/500.html", status=500)


def database_unavailable(request):
    """503 while the database is down or refuses writes: the login form says we can't
    sign anyone in, any other form shows back what the person wrote."""
    context = {"typed": _typed(request), "login": _is_login(request)}
    if context["login"]:
        context["email"] = request.POST.get("login", "")
    response = render(request, "errors/503.html", context, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store, private, max-age=0"
    return response


def _staff_needs_two_factor(request) -> bool:
    try:
        return permissions.needs_two_factor_for_staff_powers(request.user)
    except DatabaseError as error:
        if not is_database_outage(error):
            raise
        return False


def _is_login(request) -> bool:
    try:
        return resolve(request.path_info).url_name == "account_login"
    except Resolver404:
        return False


def _typed(request) -> list[tuple[str, str]]:
    """What the person typed into the form they sent, so nothing is lost. Only after
    the CSRF check passed: a form from another site is not echoed onto our pages."""
    if request.method != "POST" or not getattr(request, "csrf_processing_done", False):
        return []
    return [
        (name, value)
        for name, value in request.POST.items()
        if value.strip() and not any(word in name.lower() for word in NOT_ECHOED)
    ]
