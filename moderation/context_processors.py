from groups import permissions


def moderation(request):
    """The queue's count in the header, for leaders and admins only; lazy."""
    user = getattr(request, "user", None)
    if user is None:
        return {}

    def live_count():
        if not user.is_authenticated or not permissions.can_open_queue(user):
            return None  # no queue link at all
        return permissions.live_items_visible_to(user).count()

    return {"moderation_count": live_count}
