from forum import selectors
from groups.sockets import CLOSE_CODES


def notifications(request):
    """The bell's unread count; lazy, so pages that never show it pay nothing."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "unread_notifications": lambda: selectors.unread_notification_count(user),
        "socket_close_codes": CLOSE_CODES,  # for the page's bell socket (bell.js)
    }
