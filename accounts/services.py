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
