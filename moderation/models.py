from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Appeal(models.Model):
    """A member's one appeal against a sanction; it enters the queue for someone other
    than the leader who imposed it."""

    sanction = models.OneToOneField(
        "peergroups.Sanction", on_delete=models.CASCADE, related_name="appeal"
    )
    message = models.TextField(_("your appeal"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "peergroups_appeal"  # the table kept its name when moderation became an app

    def __str__(self):
        return f"appeal of {self.sanction}"
