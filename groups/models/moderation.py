from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModerationLogEntry(models.Model):
    """Append-only record of every leader, owner and admin action. Rows are only ever
    created (services write them inside their transaction); nothing updates or deletes
    them, and admin shows them read-only."""

    class Action(models.TextChoices):
        GROUP_CREATED = "group_created", _("created the group")
        GROUP_PROPOSED = "group_proposed", _("proposed the group")
        GROUP_APPROVED = "group_approved", _("approved the proposed group")
        GROUP_EDITED = "group_edited", _("edited the group")
        RULES_CHANGED = "rules_changed", _("changed the group rules")
        REQUEST_APPROVED = "request_approved", _("approved a join request")
        REQUEST_DECLINED = "request_declined", _("declined a join request")
        MEMBER_REMOVED = "member_removed", _("removed a member")
        MEMBER_BANNED = "member_banned", _("banned a member")
        LEADER_APPOINTED = "leader_appointed", _("appointed a peer leader")
        LEADER_REMOVED = "leader_removed", _("removed a peer leader")
        OWNERSHIP_TRANSFERRED = "ownership_transferred", _("transferred ownership")
        INVITE_CREATED = "invite_created", _("created an invite link")
        INVITE_REVOKED = "invite_revoked", _("revoked an invite link")
        ADMIN_CHANGED_MEMBERSHIP = "admin_changed_membership", _("changed a membership in admin")
        THREAD_PINNED = "thread_pinned", _("pinned a thread")
        THREAD_UNPINNED = "thread_unpinned", _("unpinned a thread")
        THREAD_LOCKED = "thread_locked", _("locked a thread")
        THREAD_UNLOCKED = "thread_unlocked", _("unlocked a thread")
        POST_APPROVED = "post_approved", _("approved a held post")
        POST_REJECTED = "post_rejected", _("did not approve a held post")

    group = models.ForeignKey(
        "peergroups.Group", null=True, blank=True, on_delete=models.PROTECT,
        related_name="moderation_log",
    )  # fmt: skip
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40, choices=Action)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        indexes = [models.Index(fields=["group", "-created_at"])]

    def __str__(self):
        return f"{self.actor} {self.get_action_display()}"
