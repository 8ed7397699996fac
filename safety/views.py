from django.db import DatabaseError
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safety import helplines
from safety.rules import CURRENT_RULES_VERSION, RULES_EFFECTIVE, rules_template

FALLBACK_COUNTRY = "US"


def _member_country(request) -> str | None:
    try:
        user = request.user
        return str(user.country) if user.is_authenticated and user.country else None
    except DatabaseError:
        # Help must still show when the database is down.
        return None


@require_GET
def help_view(request):
    chosen = request.GET.get("country", "").strip().upper()[:2] or None
    code = (
        chosen
        or _member_country(request)
        or helplines.country_from_accept_language(request.headers.get("Accept-Language", ""))
    )
    countries = helplines.all_countries()
    local = helplines.help_for(code, countries) or helplines.help_for(FALLBACK_COUNTRY, countries)
    context = {
        "local": local,
        "country_is_known": helplines.help_for(code, countries) is not None,
        "international": helplines.international(countries),
        "countries": helplines.listed_countries(countries),
    }
    return render(request, "safety/help.html", context)


@require_GET
def rules_view(request):
    context = {
        "rules_template": rules_template(),
        "version": CURRENT_RULES_VERSION,
        "effective": RULES_EFFECTIVE[CURRENT_RULES_VERSION],
    }
    return render(request, "safety/rules.html", context)


@require_GET
def accessibility_view(request):
    """What was tested, with which tools, what is known not to work, and how to tell us."""
    return render(request, "safety/accessibility.html")
