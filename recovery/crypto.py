"""Encryption at rest for members' private recovery data (health data: GDPR Art. 9),
with Fernet from `cryptography`. The keys come from settings.RECOVERY_ENCRYPTION_KEYS,
newest first: new data is encrypted with the first, every key decrypts, and
`manage.py recovery_reencrypt` moves old data onto the newest key."""

import json

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _keys() -> MultiFernet:
    keys = settings.RECOVERY_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("Set the RECOVERY_ENCRYPTION_KEYS environment variable.")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(value) -> str:
    """Any JSON-serialisable value, as a token that only our keys can open."""
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return _keys().encrypt(plain).decode("ascii")


def decrypt(token: str):
    return json.loads(_keys().decrypt(token.encode("ascii")))


def rotate(token: str) -> str:
    """The same value, encrypted with the newest key."""
    return _keys().rotate(token.encode("ascii")).decode("ascii")
