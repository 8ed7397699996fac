"""The one-click unsubscribe link in every email: signed, so it needs no sign-in, and
it never expires (a mail read months later still works). Short, so the
List-Unsubscribe header stays one plain word that mail programs can read."""

from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User

SALT = "accounts.unsubscribe"


def _signature(user_id: int) -> str:
    return salted_hmac(SALT, str(user_id), algorithm="sha256").hexdigest()[:24]


def token_for(user: User) -> str:
    return f"{user.pk}.{_signature(user.pk)}"


def user_for_token(token: str) -> User | None:
    user_id, _, signature = token.partition(".")
    if not user_id.isdigit() or not constant_time_compare(signature, _signature(int(user_id))):
        return None
    return User.objects.filter(pk=int(user_id), deleted_at__isnull=True).first()


def unsubscribe_path(user: User) -> str:
    return reverse("accounts:unsubscribe", args=[token_for(user)])
