from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

from groups import permissions


def home(request):
    return render(request, "home.html")


# Error pages render through the normal base template, so "Get help now" is on them
# too; they must not touch the database, which may be what failed.
@requires_csrf_token
def permission_denied(request, exception=None):
    # Our PermissionDenied messages are written for the person reading them.
    reason = str(exception) if exception is not None and str(exception) else ""
    context = {
        "reason": reason,
        # A staff account without two-factor is refused like a member; say why.
        "staff_needs_two_factor": permissions.needs_two_factor_for_staff_powers(request.user),
    }
    return render(request, "errors/403.html", context, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    return render(request, "errors/500.html", status=500)
