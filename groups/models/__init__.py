from groups.models.groups import Group, Invite, Membership, SiteSettings, Topic
from groups.models.moderation import ModerationLogEntry

__all__ = ["Group", "Invite", "Membership", "ModerationLogEntry", "SiteSettings", "Topic"]
