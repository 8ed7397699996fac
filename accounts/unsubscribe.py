"""The one-click unsubscribe link in every email: signed, so it needs no sign-in, and
it never expires (a mail read months later still works)."""

from django.core import signing
from django.urls import reverse

from accounts.models import User

SALT = "accounts.unsubscribe"


def token_for(user: User) -> str:
    return signing.dumps(user.pk, salt=SALT, compress=True)


def user_for_token(token: str) -> User | None:
    try:
        user_id = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=user_id, deleted_at__isnull=True).first()


def unsubscribe_path(user: User) -> str:
    return reverse("accounts:unsubscribe", args=[token_for(user)])
