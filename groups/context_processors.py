from groups import selectors


def notifications(request):
    """The bell's unread count; lazy, so pages that never show it pay nothing."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"unread_notifications": lambda: selectors.unread_notification_count(user)}


def moderation(request):
    """The queue's count in the header, for leaders and admins only; lazy."""
    user = getattr(request, "user", None)
    if user is None:
        return {}

    def live_count():
        from groups.permissions import leads_any_group
        from groups.services.moderation import live_items_visible_to

        if not user.is_authenticated or not leads_any_group(user):
            return None  # no queue link at all
        return live_items_visible_to(user).count()

    return {"moderation_count": live_count}
