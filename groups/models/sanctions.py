from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Sanction(models.Model):
    """The record of a warning, mute, removal, ban or suspension. The member's state
    that enforces it (Membership.muted_until and state, User.suspended_until) is kept
    by the same service that writes the sanction, in groups/services/sanctions.py,
    and is read-only everywhere else, admin included."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        MUTE = "mute", _("Mute")
        REMOVAL = "removal", _("Removal from the group")
        BAN = "ban", _("Ban from the group")
        SUSPENSION = "suspension", _("Site-wide suspension")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions"
    )
    group = models.ForeignKey(
        "peergroups.Group", null=True, blank=True, on_delete=models.CASCADE,
        related_name="sanctions",
    )  # fmt: skip
    kind = models.CharField(max_length=20, choices=Kind)
    reason = models.TextField(_("reason shown to the member"), max_length=1000)
    staff_note = models.TextField(_("private note for leaders"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    # When the member was told a timed mute or suspension came to its end (or found it
    # had been overtaken): set once by groups.services.sanctions.sanctions_tell_ended.
    end_told_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "group", "-created_at"]),
            # The tick's question: which timed sanctions ended and nobody was told.
            models.Index(
                fields=["ends_at"], name="sanction_end_untold",
                condition=models.Q(ends_at__isnull=False, lifted_at__isnull=True,
                                   end_told_at__isnull=True),
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_kind_display()} for {self.user}"

    @property
    def is_in_force(self) -> bool:
        if self.lifted_at is not None:
            return False
        return self.ends_at is None or self.ends_at > timezone.now()
