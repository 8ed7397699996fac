from groups.models.chat import ChatMessage, ChatRoom
from groups.models.groups import Group, Invite, Membership, SiteSettings, Topic
from groups.models.moderation import (
    Appeal,
    ModerationLogEntry,
    ReviewEvent,
    ReviewItem,
    Sanction,
    WatchedWord,
)
from groups.models.threads import (
    ContentWarning,
    Notification,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Report,
    Thread,
)

__all__ = [
    "Appeal",
    "ChatMessage",
    "ChatRoom",
    "ContentWarning",
    "Group",
    "Invite",
    "Membership",
    "ModerationLogEntry",
    "Notification",
    "Post",
    "PostRevision",
    "Reaction",
    "ReadState",
    "Report",
    "ReviewEvent",
    "ReviewItem",
    "Sanction",
    "SiteSettings",
    "Thread",
    "Topic",
    "WatchedWord",
]  # fmt: skip
