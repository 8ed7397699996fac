"""What a member is told: one row per thing that happened to them or in their groups.
Every domain creates them through groups.services.notifications (called downward);
what a member may no longer see is filtered out when read (groups.permissions)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        # About content in a group: shown while the member may read the group.
        REPLY = "reply", _("A reply to your thread")
        MENTION = "mention", _("A mention")
        REACTION = "reaction", _("Supportive reactions to your posts")
        POST_APPROVED = "post_approved", _("Your post was approved")
        # About the member themselves: always shown to them.
        REQUEST_APPROVED = "request_approved", _("Your join request was approved")
        REQUEST_DECLINED = "request_declined", _("Your join request was declined")
        POST_REJECTED = "post_rejected", _("Your post was not approved")
        POST_HIDDEN = "post_hidden", _("Your post was hidden")
        WARNING = "warning", _("A warning")
        MUTE = "mute", _("A mute")
        BAN = "ban", _("A removal or ban")
        SANCTION_ENDED = "sanction_ended", _("A mute or ban was lifted")
        SANCTION_EXPIRED = "sanction_expired", _("A mute or suspension came to its end")
        APPEAL_OUTCOME = "appeal_outcome", _("The answer to your appeal")
        INVITE_USED = "invite_used", _("Someone joined with your invite link")
        # For leaders: shown while they may handle the group's queue.
        QUEUE_ITEM = "queue_item", _("A new item in your queue")
        QUEUE_URGENT = "queue_urgent", _("An urgent item in your queue")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    group = models.ForeignKey(
        "peergroups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_key = models.CharField(max_length=60, blank=True)  # as on ReviewItem: "post:12"
    link = models.CharField(max_length=500, blank=True)
    about = models.CharField(max_length=200, blank=True)  # a thread's title, if any
    # What the member is told in words of the one who decided (a reason), if anything.
    detail = models.TextField(blank=True)
    # How many people it stands for ("3 people sent strength"): repeated events of one
    # kind about one thing update one row (same `grouping`), which comes back unread.
    count = models.PositiveIntegerField(default=1)
    grouping = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "grouping"], condition=~Q(grouping=""),
                name="one_notification_per_grouping",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(
                fields=["user", "created_at"], condition=Q(read_at__isnull=True),
                name="unread_notification_rows",
            ),
            models.Index(fields=["user", "-created_at"], name="notifications_newest"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_kind_display()} for {self.user_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def is_urgent(self) -> bool:
        return self.kind == self.Kind.QUEUE_URGENT

    @property
    def message(self) -> str:
        """One kind, plain sentence; the reason, if any, is shown below it."""
        actor = self.actor.public_name if self.actor_id and self.actor else _("Someone")
        values = {
            "actor": actor, "about": self.about, "count": self.count,
            "group": self.group.name if self.group_id else _("the site"),
        }  # fmt: skip
        if self.kind == self.Kind.REACTION:
            kind = self.grouping.split(":")[1] if self.grouping.count(":") >= 2 else ""
            values["reaction"] = REACTION_WORDS.get(kind, _("a kind reaction"))
            if self.count > 1:
                return _("%(count)s people sent %(reaction)s on your post in “%(about)s”.") % values
            return _("%(actor)s sent %(reaction)s on your post in “%(about)s”.") % values
        if self.kind == self.Kind.SANCTION_EXPIRED and not self.group_id:
            return _("Your suspension has ended: you can post, chat and join groups again.")
        return MESSAGES[self.kind] % values


REACTION_WORDS = {
    "strength": _("strength"), "me_too": _("“me too”"), "thank_you": _("thanks"),
    "proud": _("“proud of you”"),
}  # fmt: skip
K = Notification.Kind
MESSAGES = {
    K.REPLY: _("%(actor)s replied to your thread “%(about)s”."),
    K.MENTION: _("%(actor)s mentioned you in “%(about)s”."),
    K.REACTION: _("%(actor)s reacted to your post in “%(about)s”."),
    K.POST_APPROVED: _("A peer leader approved your post in “%(about)s”: everyone can see it now."),
    K.REQUEST_APPROVED: _("Welcome: your request to join %(group)s was approved."),
    K.REQUEST_DECLINED: _("Your request to join %(group)s was not approved this time."),
    K.POST_REJECTED: _("A peer leader did not approve your post in “%(about)s”."),
    K.POST_HIDDEN: _("A peer leader hid your post in “%(about)s”."),
    K.WARNING: _("A peer leader of %(group)s sent you a warning."),
    K.MUTE: _("You can read %(group)s but not post or chat there for a while."),
    K.BAN: _("You are no longer a member of %(group)s."),
    K.SANCTION_ENDED: _("A peer leader lifted a mute or ban in %(group)s."),
    K.SANCTION_EXPIRED: _("Your mute in %(group)s has ended: you can post and chat there again."),
    K.APPEAL_OUTCOME: _("Your appeal about %(group)s has an answer."),
    K.INVITE_USED: _("%(actor)s joined %(group)s with your invite link."),
    K.QUEUE_ITEM: _("Something new is waiting in the queue of %(group)s."),
    K.QUEUE_URGENT: _("Urgent: someone in %(group)s may be at risk. Please look now."),
}


CONTENT_KINDS = [
    Notification.Kind.REPLY, Notification.Kind.MENTION, Notification.Kind.REACTION,
    Notification.Kind.POST_APPROVED,
]  # fmt: skip
LEADER_KINDS = [Notification.Kind.QUEUE_ITEM, Notification.Kind.QUEUE_URGENT]
PERSONAL_KINDS = [
    kind for kind in Notification.Kind.values if kind not in CONTENT_KINDS + LEADER_KINDS
]
