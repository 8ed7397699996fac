import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts import display_names

TIME_ZONE_CHOICES = [
    (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
]


class Digest(models.TextChoices):
    OFF = "off", _("No summary email")
    DAILY = "daily", _("A daily summary of what I haven't read")
    WEEKLY = "weekly", _("A weekly summary of what I haven't read")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, *, display_name, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_display_name(display_name)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, *, display_name, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, display_name=display_name, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member. Known to others only by `display_name`; the email address is for
    signing in and for mail from us, and is never shown to other members."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=display_names.MAX_LENGTH)
    # What the name looks like to a reader; null once the account is deleted so the
    # name can be chosen again.
    display_name_key = models.CharField(  # noqa: DJ001 - NULL, unlike "", is never a duplicate
        max_length=120, null=True, blank=True, editable=False
    )
    about = models.TextField(_("about you"), max_length=500, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC"
    )
    country = CountryField(_("country"), blank=True)
    share_presence = models.BooleanField(
        _("show others when I'm in a chat and typing"),
        default=False,
        help_text=_("Off by default. When on, members of the chat see you're there and typing."),
    )
    confirmed_adult_at = models.DateTimeField(null=True, blank=True)
    # Set when the member finishes (or skips) the first sign-in welcome.
    onboarded_at = models.DateTimeField(null=True, blank=True)
    # Per kind of notification: "app" (the bell only), "email" (the bell and email) or
    # "off"; a kind not named here takes its default (groups.services.notifications).
    notification_choices = models.JSONField(default=dict, blank=True)
    digest = models.CharField(_("summary email"), max_length=10, choices=Digest, default=Digest.OFF)
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # No email between these times in the member's own time zone (both empty: none).
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    # Set by the one-click unsubscribe link in every email: no more email of any kind
    # from notifications until the member turns it back on in their settings.
    email_unsubscribed_at = models.DateTimeField(null=True, blank=True)
    urgent_in_quiet_hours = models.BooleanField(
        _("email me urgent queue items during quiet hours"), default=True
    )
    rules_version_accepted = models.PositiveSmallIntegerField(null=True, blank=True)
    rules_accepted_at = models.DateTimeField(null=True, blank=True)
    is_trusted = models.BooleanField(
        _("trusted member"),
        default=False,
        help_text=_("Trusted members may propose new groups (when the site allows it)."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Site-wide suspension by an administrator (the reason is on the Sanction row).
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]
    # All that public_name reads: lists of authors load only these.
    PUBLIC_FIELDS = ("display_name", "deleted_at")

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                "display_name_key",
                name="unique_display_name_key",
                violation_error_message=_("That name is already taken."),
            ),
            models.UniqueConstraint(Lower("email"), name="unique_email_ignoring_case"),
        ]
        indexes = [models.Index(Lower("display_name"), name="user_display_name_lower")]

    def __str__(self):
        return self.public_name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    @property
    def public_name(self) -> str:
        """The only name other members ever see."""
        return str(_("former member")) if self.is_deleted else self.display_name

    def set_display_name(self, name: str) -> None:
        self.display_name = display_names.normalize(name)
        self.display_name_key = display_names.name_key(self.display_name)
