import zoneinfo

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from peersupport.outages import is_database_outage


def _signed_in(request) -> bool | None:
    """Whether the request comes from someone signed in; None while the database can't
    say (the page itself then decides whether it can do without it: help can)."""
    try:
        return request.user.is_authenticated
    except DatabaseError as error:
        if not is_database_outage(error):
            raise
        return None


class PrivatePagesNotCachedMiddleware:
    """Pages a signed-in member sees may hold their private words: no browser or proxy
    may keep a copy (a shared computer, a back button after logging out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        signed_in = _signed_in(request)
        if signed_in is None:
            signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
        if signed_in:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private, max-age=0"
        return response


class MemberTimeZoneMiddleware:
    """Show times in the member's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request) and request.user.time_zone:
            timezone.activate(zoneinfo.ZoneInfo(request.user.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)
