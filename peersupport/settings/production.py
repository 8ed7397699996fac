"""Production: secrets and hosts must come from the environment; HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str

SECRET_KEY = env_str("SECRET_KEY")
# Members' private recovery data is encrypted with these; without them it can't be kept.
RECOVERY_ENCRYPTION_KEYS = env_list("RECOVERY_ENCRYPTION_KEYS")
if not RECOVERY_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("Set the RECOVERY_ENCRYPTION_KEYS environment variable.")
DEBUG = False
# Mail must really go out: account verification and password resets depend on it.
env_str("SMTP_HOST")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Behind the proxy (deploy/nginx.conf.template), the address Django sees is the
# proxy's: allauth's per-address limits on sign-ins would count every member as one
# (or, on a unix socket, find no address and refuse every sign-in). The proxy sets
# X-Real-IP itself, replacing whatever a client sent; the app servers listen only
# where the proxy can reach them.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER", "X-Real-IP")
