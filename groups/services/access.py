"""Telling a member's open websockets that what they may do has changed (a mute, a
ban, leaving a group, logging out). The sockets then check again, from Postgres."""

import logging

from django.db import transaction

from groups import permissions
from groups.sockets import ring_from_sync, user_channel

logger = logging.getLogger(__name__)


def _send(user_id: int, event: dict) -> None:
    try:
        ring_from_sync(user_channel(user_id), event)
    except Exception:  # a channel layer outage must not break the page that caused it
        logger.warning("could not reach the member's sockets", exc_info=True)


def access_changed(user) -> None:
    """After commit, the member's sockets re-check their access."""
    permissions.forget_memberships(user)
    user_id = user.pk
    transaction.on_commit(lambda: _send(user_id, {"type": "access.changed"}))


def session_ended(user_id: int, session_key: str | None) -> None:
    """The member logged out: sockets opened with that session close."""
    _send(user_id, {"type": "session.ended", "session_key": session_key or ""})


def close_sockets_on_logout(sender, request, user, **kwargs) -> None:
    if user is not None and getattr(request, "session", None) is not None:
        session_ended(user.pk, request.session.session_key)


def recheck_after_two_factor_removed(sender, user, **kwargs) -> None:
    """Staff powers need two-factor: once it is removed, open sockets check again."""
    access_changed(user)
