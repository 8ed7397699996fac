from groups.models import ModerationLogEntry


def log_action(*, actor, action, group=None, target_user=None, reason="", **details):
    """Write one append-only moderation log row. Call inside the service's transaction."""
    return ModerationLogEntry.objects.create(
        actor=actor, action=action, group=group, target_user=target_user, reason=reason,
        details=details,
    )  # fmt: skip
