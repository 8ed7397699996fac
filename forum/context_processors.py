from forum import selectors


def notifications(request):
    """The bell's unread count; lazy, so pages that never show it pay nothing."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"unread_notifications": lambda: selectors.unread_notification_count(user)}
