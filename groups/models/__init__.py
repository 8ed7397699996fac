from groups.models.groups import Group, Invite, Membership, SiteSettings, Topic
from groups.models.notifications import Notification
from groups.models.queue import (
    ModerationLogEntry,
    Report,
    ReviewEvent,
    ReviewItem,
    Target,
    WatchedWord,
)
from groups.models.sanctions import Sanction

__all__ = [
    "Group",
    "Invite",
    "Membership",
    "ModerationLogEntry",
    "Notification",
    "Report",
    "ReviewEvent",
    "ReviewItem",
    "Sanction",
    "SiteSettings",
    "Target",
    "Topic",
    "WatchedWord",
]  # fmt: skip
