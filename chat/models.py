"""Chat rooms and messages; the tables kept their peergroups_ names when chat became
its own app."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX_LENGTH = 2_000


class ChatRoom(models.Model):
    class Kind(models.TextChoices):
        MEMBERS = "members", _("Group chat")
        LEADERS = "leaders", _("Leaders' room")

    group = models.ForeignKey("peergroups.Group", on_delete=models.CASCADE, related_name="rooms")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.MEMBERS)
    # The last sequence number given out. Taken under this row's lock, in the same
    # transaction as the message, so sequence numbers commit in order: a client that
    # has seen n can never miss a committed message below n.
    last_seq = models.PositiveBigIntegerField(default=0)
    slow_mode_seconds = models.PositiveIntegerField(_("slow mode (seconds)"), default=0)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "peergroups_chatroom"
        constraints = [
            models.UniqueConstraint(fields=["group", "kind"], name="one_room_of_each_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.group}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_for_leaders(self) -> bool:
        return self.kind == self.Kind.LEADERS


class ChatMessage(models.Model):
    class State(models.TextChoices):
        PUBLISHED = "published", _("Published")
        DELETED = "deleted", _("Deleted by a peer leader")

    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_msg_id = models.UUIDField(default=uuid.uuid4)
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    state = models.CharField(max_length=10, choices=State, default=State.PUBLISHED)
    # A notice from the platform (e.g. "a member is asking for support"), not chat.
    is_notice = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_reason = models.TextField(blank=True)

    class Meta:
        db_table = "peergroups_chatmessage"
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="one_message_per_seq"),
            # A retry of the same send is the same message, never a second one.
            models.UniqueConstraint(
                fields=["author", "client_msg_id"], name="one_message_per_client_id"
            ),
        ]
        indexes = [
            models.Index(fields=["room", "-seq"]),
            models.Index(fields=["author", "-created_at"]),
        ]

    def __str__(self):
        return f"message {self.seq} in {self.room}"


class ChatSeen(models.Model):
    """How far a member has seen a room: the room's last sequence number when they last
    looked (the room's page, or leaving its socket). Written at most every
    SEEN_EVERY while they reload the page, so the home's "new in chat" may lag that
    long; chat has no read pointer per message and needs none."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="+")
    last_seen_seq = models.PositiveBigIntegerField(default=0)
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "room"], name="one_chat_seen_per_room"),
        ]

    def __str__(self):
        return f"{self.user_id} saw {self.room_id} to {self.last_seen_seq}"
