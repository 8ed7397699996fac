import zoneinfo

from django.utils import timezone
from django.utils.cache import add_never_cache_headers


class PrivatePagesNotCachedMiddleware:
    """Pages a signed-in member sees may hold their private words: no browser or proxy
    may keep a copy (a shared computer, a back button after logging out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private, max-age=0"
        return response


class MemberTimeZoneMiddleware:
    """Show times in the member's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.time_zone:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)
