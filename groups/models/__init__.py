from groups.models.groups import Group, Invite, Membership, SiteSettings, Topic
from groups.models.moderation import ModerationLogEntry
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
    "ContentWarning", "Group", "Invite", "Membership", "ModerationLogEntry", "Notification",
    "Post", "PostRevision", "Reaction", "ReadState", "Report", "SiteSettings", "Thread", "Topic",
]  # fmt: skip
