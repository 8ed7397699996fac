from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Target:
    """The kinds of thing a review item or report can be about. A target key is the
    kind and its ids, "post:12"; each app that owns a kind reads its own."""

    POST = "post"
    CHAT = "chat"
    MEMBER = "member"  # a member's conduct in one group: "member:<user>:group:<group>"
    MEMBERSHIP = "membership"  # a join request
    SANCTION = "sanction"  # an appeal
    SUPPORT = "support"  # "I need support now": "support:<user>:<group>"


def target_key(kind: str, pk: int, *more) -> str:
    return ":".join(str(part) for part in (kind, pk, *more))


def member_target_key(user_id: int, group_id: int) -> str:
    return target_key(Target.MEMBER, user_id, "group", group_id)


def target_type(key: str) -> str:
    return key.split(":", 1)[0]


def target_id(key: str) -> int:
    return int(key.split(":")[1])


class Targeted:
    """For models that name what they are about by `target_key`."""

    target_key: str

    @property
    def target_type(self) -> str:
        return target_type(self.target_key)

    @property
    def target_id(self) -> int:
        return target_id(self.target_key)


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
        POST_HIDDEN = "post_hidden", _("hid a post")
        CONTENT_WARNING_ADDED = "content_warning_added", _("added a content warning")
        CHAT_MESSAGE_DELETED = "chat_message_deleted", _("deleted a chat message")
        CHAT_SLOW_MODE = "chat_slow_mode", _("changed the chat's slow mode")
        CHAT_LOCKED = "chat_locked", _("locked the chat")
        CHAT_UNLOCKED = "chat_unlocked", _("unlocked the chat")
        MEMBER_WARNED = "member_warned", _("warned a member")
        MEMBER_MUTED = "member_muted", _("muted a member")
        MEMBER_SUSPENDED = "member_suspended", _("suspended a member site-wide")
        SANCTION_LIFTED = "sanction_lifted", _("lifted a sanction")
        ITEM_CLAIMED = "item_claimed", _("claimed a queue item")
        ITEM_RELEASED = "item_released", _("released a queue item")
        ITEM_DISMISSED = "item_dismissed", _("dismissed a queue item")
        ITEM_ESCALATED = "item_escalated", _("escalated a queue item to administrators")
        ITEM_RESOLVED = "item_resolved", _("resolved a queue item")

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


class Report(Targeted, models.Model):
    """A member telling the leaders about a post, a chat message or a member."""

    class Reason(models.TextChoices):
        RISK = "risk", _("Someone may be at risk")
        SOURCING = "sourcing", _("Sourcing or selling")
        HARASSMENT = "harassment", _("Harassment")
        TRIGGERING = "triggering", _("Triggering without a warning")
        SPAM = "spam", _("Spam")
        OTHER = "other", _("Something else")

    group = models.ForeignKey("peergroups.Group", on_delete=models.CASCADE, related_name="+")
    target_key = models.CharField(max_length=60)  # as on ReviewItem: "post:12"
    subject = models.ForeignKey(  # whose post, message or conduct it is
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    note = models.TextField(_("anything else the leaders should know"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    review_item = models.ForeignKey(
        "peergroups.ReviewItem", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reports",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target_key", "reporter"], name="one_report_per_target_and_reporter"
            ),
        ]
        indexes = [models.Index(fields=["target_key", "created_at"], name="report_target")]

    def __str__(self):
        return f"report: {self.get_reason_display()}"


class ReviewItem(Targeted, models.Model):
    """One thing that needs a human: a reported post or member, a held post, a join
    request, an automatic flag, an appeal. One live item per target and kind; a new
    report on a closed target opens it again."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        HELD_POST = "held_post", _("Post awaiting approval")
        JOIN_REQUEST = "join_request", _("Join request")
        AUTO_FLAG = "auto_flag", _("Automatic flag")
        APPEAL = "appeal", _("Appeal")
        SUPPORT = "support", _("A member asks for support")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CLAIMED = "claimed", _("Being handled")
        ESCALATED = "escalated", _("Escalated to administrators")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    class Urgency(models.IntegerChoices):
        URGENT = 0, _("Urgent")
        NORMAL = 1, _("Normal")

    LIVE = [Status.PENDING, Status.CLAIMED, Status.ESCALATED]

    group = models.ForeignKey(
        "peergroups.Group", null=True, blank=True, on_delete=models.CASCADE,
        related_name="review_items",
    )  # fmt: skip
    kind = models.CharField(max_length=20, choices=Kind)
    # What the item is about, in one reference: "post:12", "chat:5", "membership:40",
    # "member:7:group:3", "sanction:3", "support:7:3". The app that owns the target
    # reads it (see `target_type` and `target_id`).
    target_key = models.CharField(max_length=60)
    subject = models.ForeignKey(  # whose content or conduct this is about
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    # Someone who may not handle this item: the leader whose decision is appealed.
    recused_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    urgency = models.PositiveSmallIntegerField(choices=Urgency, default=Urgency.NORMAL)
    reasons = models.JSONField(default=list, blank=True)  # report reasons and flag rules
    snapshot = models.TextField(blank=True)  # the content as it was when it entered
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    claimed_until = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    reopened_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # When the group's leaders were emailed again because nobody had claimed it.
    leaders_reminded_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=40, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review queue")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_key"],
                condition=models.Q(status__in=["pending", "claimed", "escalated"]),
                name="one_live_item_per_target_and_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "urgency", "created_at"]),
            models.Index(fields=["group", "status"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def reason_labels(self) -> list[str]:
        """Report reasons in words ("Someone may be at risk"); flags as recorded."""
        labels = dict(Report.Reason.choices)
        return [str(labels.get(reason, reason)) for reason in self.reasons]

    @property
    def waiting_since(self):
        return self.reopened_at or self.created_at

    def claim_is_held_by(self, user, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.CLAIMED
            and self.claimed_by_id == user.pk
            and self.claimed_until is not None
            and self.claimed_until > now
        )


class ReviewEvent(models.Model):
    """The history of one review item: created, reported again, claimed, decided."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    action = models.CharField(max_length=40)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.action} on {self.item}"


class WatchedWord(models.Model):
    class Action(models.TextChoices):
        HOLD = "hold", _("Hold the post for review")
        FLAG = "flag", _("Publish, and flag it for review")
        BLOCK = "block", _("Refuse it, with a message to the author")

    group = models.ForeignKey(
        "peergroups.Group", null=True, blank=True, on_delete=models.CASCADE,
        related_name="watched_words", help_text=_("Empty: applies in every group."),
    )  # fmt: skip
    phrase = models.CharField(
        _("word or phrase"), max_length=100,
        help_text=_("Matched as whole words, ignoring case. * matches any letters: deal*"),
    )  # fmt: skip
    action = models.CharField(max_length=10, choices=Action, default=Action.FLAG)
    message = models.CharField(_("message to the author when blocked"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("watched word")
        verbose_name_plural = _("watched words")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "phrase"], name="one_watched_phrase_per_scope"
            ),
        ]

    def __str__(self):
        return self.phrase
