"""The production settings, served over plain http on this machine's loopback only:
the production shape that scripts/prod starts (nginx, gunicorn, uvicorn).

Production marks cookies Secure, redirects http to https and sends HSTS. Over
http://127.0.0.1 a browser would not send Secure cookies back (no session, no CSRF
token), the redirect would point at an https port nobody serves, and HSTS would make
the browser refuse http on 127.0.0.1 for a year. This module turns off exactly those
three, and refuses any host but loopback, so it can never serve a real site."""

import os

from django.core.exceptions import ImproperlyConfigured

# Mail stays on this machine (files in EMAIL_DIR, or the console) unless SMTP_HOST is set.
os.environ.setdefault("SMTP_HOST", "")

from .production import *  # noqa: F403
from .production import ALLOWED_HOSTS

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
if set(ALLOWED_HOSTS) - LOOPBACK_HOSTS:
    raise ImproperlyConfigured(
        "peersupport.settings.loopback serves plain http to this machine only; "
        "use peersupport.settings.production behind TLS for other hosts."
    )

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
