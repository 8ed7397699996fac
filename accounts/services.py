"""Every change to an account goes through here."""

import uuid

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.models import User


@transaction.atomic
def user_update_profile(
    *,
    acting_user: User,
    user: User,
    display_name: str,
    about: str,
    time_zone: str,
    country: str,
    share_presence: bool = False,
) -> User:
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("You can only change your own profile."))
    user.set_display_name(display_name)
    user.about = about
    user.time_zone = time_zone
    user.country = country
    user.share_presence = share_presence
    user.full_clean(exclude=["password", "email"])
    user.save(
        update_fields=[
            "display_name",
            "display_name_key",
            "about",
            "time_zone",
            "country",
            "share_presence",
        ]
    )
    return user


@transaction.atomic
def user_delete(*, acting_user: User, user: User, request=None) -> User:
    """A member deletes their own account: personal data goes, what they wrote stays
    and is shown as written by a former member. (Member self-service: no audit row.)"""
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("You can only delete your own account."))
    # Apps above accounts erase what they keep about the member (their private
    # recovery data...), named in settings so that accounts imports none of them.
    for eraser in settings.ACCOUNT_ERASERS:
        import_string(eraser)(user=user)
    EmailAddress.objects.filter(user=user).delete()
    user.email = f"deleted-{uuid.uuid4().hex}@deleted.invalid"
    user.display_name = ""
    user.display_name_key = None
    user.about = ""
    user.country = ""
    user.time_zone = "UTC"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.deleted_at = timezone.now()
    user.save()
    user.authenticator_set.all().delete()
    if request is not None:
        logout(request)
    return user


@transaction.atomic
def user_finish_welcome(*, acting_user: User, user: User, time_zone: str = "") -> User:
    """The first sign-in welcome is done (or skipped); the time zone, if given, is the
    one the member's browser reported and they kept."""
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("You can only change your own profile."))
    fields = ["onboarded_at"]
    if time_zone:
        user.time_zone = time_zone
        user.full_clean(exclude=["password", "email", "display_name_key"])
        fields.append("time_zone")
    user.onboarded_at = timezone.now()
    user.save(update_fields=fields)
    return user


@transaction.atomic
def user_unsubscribe(*, user: User) -> User:
    """From the signed link in an email (the link is the authority): no more
    notification email or summaries until the member turns them on again."""
    if user.email_unsubscribed_at is None:
        user.email_unsubscribed_at = timezone.now()
        user.save(update_fields=["email_unsubscribed_at"])
    return user


@transaction.atomic
def user_update_notification_settings(
    *, acting_user: User, user: User, choices: dict[str, str], digest: str, quiet_from,
    quiet_until, urgent_in_quiet_hours: bool, email_on: bool,
) -> User:  # fmt: skip
    """What the member is told, and how: per kind (the kinds are the notification
    centre's), the summary email, quiet hours, and email on or off altogether."""
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("You can only change your own settings."))
    user.notification_choices = choices
    user.digest = digest
    user.quiet_from, user.quiet_until = quiet_from, quiet_until
    user.urgent_in_quiet_hours = urgent_in_quiet_hours
    if email_on:
        user.email_unsubscribed_at = None
    elif user.email_unsubscribed_at is None:
        user.email_unsubscribed_at = timezone.now()
    user.save(update_fields=["notification_choices", "digest", "quiet_from", "quiet_until",
                             "urgent_in_quiet_hours", "email_unsubscribed_at"])  # fmt: skip
    return user
