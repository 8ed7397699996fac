import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """A curated tag ("alcohol", "trauma & PTSD"); admins edit the list."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name


RESERVED_SLUGS = {"new"}


def validate_group_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("That address is kept for the site. Please choose another."))


class Group(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone signed in can read")
        PRIVATE = "private", _("Private: listed, but only members can read")
        HIDDEN = "hidden", _("Hidden: unlisted, invitation only")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: anyone can join")
        REQUEST = "request", _("By request: leaders approve each member")
        INVITE = "invite", _("By invitation only")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for an administrator")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("web address"), max_length=80, unique=True, validators=[validate_group_slug]
    )
    short_description = models.CharField(_("short description"), max_length=200)
    about = models.TextField(_("about"), max_length=10_000, blank=True)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="groups", verbose_name=_("topics")
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        _("who can join"), max_length=10, choices=JoinPolicy, default=JoinPolicy.OPEN
    )
    rules = models.TextField(_("group rules"), max_length=10_000, blank=True)
    rules_version = models.PositiveIntegerField(_("rules version"), default=1, editable=False)
    rules_updated_at = models.DateTimeField(default=timezone.now, editable=False)
    welcome_message = models.TextField(_("welcome message"), max_length=5_000, blank=True)
    held_posts_for_new_members = models.PositiveSmallIntegerField(
        _("posts to approve from each new member"),
        default=2,
        validators=[MaxValueValidator(20)],
        help_text=_("A new member's first posts wait for a peer leader's approval."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("proposed by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="hidden") | Q(join_policy="invite"),
                name="hidden_groups_are_invite_only",
                violation_error_message=_("A hidden group can only be joined by invitation."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "visibility", "-last_activity_at"]),
        ]

    def __str__(self):
        return self.name

    @property
    def is_hidden(self) -> bool:
        return self.visibility == self.Visibility.HIDDEN

    @property
    def visibility_label(self) -> str:
        return {
            self.Visibility.PUBLIC: _("Public"),
            self.Visibility.PRIVATE: _("Private"),
            self.Visibility.HIDDEN: _("Hidden"),
        }[self.visibility]

    @property
    def join_policy_label(self) -> str:
        return {
            self.JoinPolicy.OPEN: _("Anyone can join"),
            self.JoinPolicy.REQUEST: _("Join by request"),
            self.JoinPolicy.INVITE: _("By invitation"),
        }[self.join_policy]


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=Membership.State.ACTIVE)

    def leading(self):
        """Active peer leaders and owners: the people who lead a group."""
        return self.active().filter(role__in=[Membership.Role.LEADER, Membership.Role.OWNER])


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        LEADER = "leader", _("Peer leader")
        OWNER = "owner", _("Owner")

    class State(models.TextChoices):
        REQUESTED = "requested", _("Asked to join")
        ACTIVE = "active", _("Member")
        DECLINED = "declined", _("Request declined")
        WITHDRAWN = "withdrawn", _("Request withdrawn")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")
        BANNED = "banned", _("Banned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.ACTIVE)
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    accepted_rules_version = models.PositiveIntegerField(null=True, blank=True)
    request_message = models.TextField(_("message to the leaders"), max_length=1_000, blank=True)
    # Shown to the member: why a request was declined, or why they were removed or banned.
    decision_reason = models.TextField(_("reason"), max_length=1_000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    hidden_from_member_list = models.BooleanField(_("hide me from the member list"), default=False)
    approved_post_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="one_membership_per_group"),
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="owner", state="active"),
                name="one_owner_per_group",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["group", "state", "role"])]

    def __str__(self):
        return f"{self.user} in {self.group}"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    @property
    def is_leading(self) -> bool:
        """Leads the group: the row-level form of MembershipQuerySet.leading()."""
        return self.is_active and self.role in {self.Role.LEADER, self.Role.OWNER}

    @property
    def is_muted(self) -> bool:
        return self.is_active and self.muted_until is not None and self.muted_until > timezone.now()

    @property
    def needs_to_accept_rules(self) -> bool:
        return self.is_active and self.accepted_rules_version != self.group.rules_version


def new_invite_token() -> str:
    return secrets.token_urlsafe(24)


class Invite(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invites")
    token = models.CharField(max_length=64, unique=True, default=new_invite_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("most uses"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("times used"), default=0)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invite link")
        verbose_name_plural = _("invite links")

    def __str__(self):
        return f"invite to {self.group}"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and (self.max_uses is None or self.use_count < self.max_uses)
        )


class SiteSettings(models.Model):
    """One row of settings admins change in Django admin."""

    members_can_propose_groups = models.BooleanField(
        _("trusted members can propose new groups"),
        default=True,
        help_text=_("Proposals wait for an administrator's approval before anyone sees them."),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return str(_("Site settings"))

    @classmethod
    def current(cls) -> "SiteSettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row
