"""A member's private recovery tools. Everything a member writes or answers here is
health data: it is encrypted at rest (fields.EncryptedJSONField) and only its owner
ever sees it (permissions.py). What stays in plain columns is what the arithmetic
needs: dates, and who it belongs to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recovery.fields import EncryptedJSONField


class Goal(models.Model):
    """Something a member is working toward, in stretches: a restart closes one and
    opens the next, and every day already done still counts."""

    class Kind(models.TextChoices):
        ALCOHOL = "alcohol", _("Alcohol")
        OPIOIDS = "opioids", _("Opioids")
        STIMULANTS = "stimulants", _("Stimulants")
        CANNABIS = "cannabis", _("Cannabis")
        GAMBLING = "gambling", _("Gambling")
        SELF_HARM = "self_harm", _("Self-harm")
        OWN_WORDS = "own_words", _("In my own words")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_goals"
    )
    # {"kind": Kind, "words": "..."}
    details = EncryptedJSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("recovery goal")

    def __str__(self):
        return _("Goal %(number)s") % {"number": self.pk}

    @property
    def name(self) -> str:
        words = (self.details.get("words") or "").strip()
        if words:
            return words
        return str(self.Kind(self.details["kind"]).label)


class Stretch(models.Model):
    """Days toward a goal from `started_on` up to (not including) `ended_on`, the day
    things slipped; the current stretch has no end. Days are the member's local days."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="stretches")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    # The member's own words when they started again (optional): {"note": "..."}
    restart_note = EncryptedJSONField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]
        verbose_name = _("stretch")
        constraints = [
            models.UniqueConstraint(
                "goal", condition=Q(ended_on__isnull=True), name="one_current_stretch_per_goal"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="stretch_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return _("Stretch %(number)s") % {"number": self.pk}


class Celebration(models.Model):
    """A milestone of a stretch the member has marked: privately, or by sharing it in
    a group (the post itself lives in the forum, screened like any other)."""

    stretch = models.ForeignKey(Stretch, on_delete=models.CASCADE, related_name="celebrations")
    days = models.PositiveIntegerField()
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("milestone celebration")
        constraints = [
            models.UniqueConstraint("stretch", "days", name="one_celebration_per_milestone")
        ]

    def __str__(self):
        return _("Celebration %(number)s") % {"number": self.pk}


class CheckIn(models.Model):
    """How a member's day went, one per local day (saving again changes it)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_check_ins"
    )
    day = models.DateField()
    # {"mood": 1-5, "craving": 0-10, "sleep_hours": float|None, "tags": [...], "note": "..."}
    answers = EncryptedJSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("check-in")
        constraints = [
            models.UniqueConstraint("owner", "day", name="one_check_in_per_member_per_day")
        ]

    def __str__(self):
        return _("Check-in %(number)s") % {"number": self.pk}


class SafetyPlan(models.Model):
    """The member's own plan for bad days (the Stanley-Brown structure)."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_safety_plan"
    )
    # {section key: "text"}, sections in recovery.plan.SECTIONS
    sections = EncryptedJSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("safety plan")

    def __str__(self):
        return _("Safety plan %(number)s") % {"number": self.pk}
