"""Threads and posts; the tables kept their peergroups_ names when the forum became
its own app."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from groups.markdown import stored_or_rendered

TITLE_MAX_LENGTH = 140
BODY_MAX_LENGTH = 20_000


class ContentWarning(models.TextChoices):
    NONE = "", _("No content warning")
    SUICIDE_SELF_HARM = "suicide_self_harm", _("Suicide or self-harm")
    SUBSTANCE_USE = "substance_use", _("Substance use detail")
    RELAPSE = "relapse", _("Relapse")
    TRAUMA_ABUSE = "trauma_abuse", _("Trauma or abuse")
    EATING = "eating", _("Eating")
    OTHER = "other", _("Other")


class Thread(models.Model):
    group = models.ForeignKey("peergroups.Group", on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Moves when a published post arrives; held posts do not count until approved.
    last_activity_at = models.DateTimeField(default=timezone.now)
    last_post_number = models.PositiveIntegerField(default=0)
    published_post_count = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(default=True)  # False while its first post is held
    pinned_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "peergroups_thread"
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                models.F("group"), models.F("pinned_at").desc(nulls_last=True),
                models.F("last_activity_at").desc(), name="thread_list_order",
            ),
        ]  # fmt: skip

    def __str__(self):
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None


class Post(models.Model):
    class State(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HELD = "held", _("Awaiting approval")
        REJECTED = "rejected", _("Not approved")
        REMOVED_BY_AUTHOR = "removed_by_author", _("Removed by the author")
        HIDDEN = "hidden", _("Hidden by a peer leader")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    # Given when the post is published, so numbers (and links to them) never change.
    number = models.PositiveIntegerField(null=True, blank=True)
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH)
    rendered_html = models.TextField(blank=True, editable=False)
    rendered_version = models.PositiveSmallIntegerField(default=0, editable=False)
    content_warning = models.CharField(
        _("content warning"), max_length=20, choices=ContentWarning, blank=True, default=""
    )
    content_warning_note = models.CharField(_("about the warning"), max_length=80, blank=True)
    state = models.CharField(max_length=20, choices=State, default=State.PUBLISHED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # Why a leader hid it or did not approve it: shown to the author only.
    moderation_reason = models.TextField(blank=True)

    class Meta:
        db_table = "peergroups_post"
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "number"], name="one_post_per_number",
                condition=Q(number__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(state="held", number__isnull=True) | ~Q(state="held"),
                name="held_posts_have_no_number",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["thread", "number"]),
            models.Index(fields=["author", "created_at"]),
            models.Index(fields=["state", "thread"]),
        ]

    def __str__(self):
        return f"post {self.number or '(held)'} in {self.thread}"

    @property
    def html(self) -> SafeString:
        return stored_or_rendered(
            body=self.body, html=self.rendered_html, version=self.rendered_version
        )

    @property
    def is_unpublished(self) -> bool:
        """Held for a leader, or not approved: only its author and leaders see it."""
        return self.state in {self.State.HELD, self.State.REJECTED}

    @property
    def is_visible_to_all(self) -> bool:
        return self.state in {self.State.PUBLISHED, self.State.REMOVED_BY_AUTHOR, self.State.HIDDEN}


class PostRevision(models.Model):
    """What a post said before each edit; leaders can read the history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    content_warning = models.CharField(max_length=20, blank=True)
    content_warning_note = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "peergroups_postrevision"
        ordering = ["-created_at"]

    def __str__(self):
        return f"earlier version of {self.post}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        STRENGTH = "strength", _("Sending strength")
        ME_TOO = "me_too", _("Me too")
        THANK_YOU = "thank_you", _("Thank you")
        PROUD = "proud", _("Proud of you")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "peergroups_reaction"
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="one_reaction_of_a_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.post}"


class ReadState(models.Model):
    """How far a member has read a thread, by post number."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_number = models.PositiveIntegerField(default=0)
    # When the pointer last moved: within a page it moves at most every few minutes.
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "peergroups_readstate"
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="one_read_state_per_thread")
        ]

    def __str__(self):
        return f"read up to {self.last_read_number} in {self.thread}"
