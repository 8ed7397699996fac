"""Development on one machine: `make run`."""

import os

os.environ.setdefault("DEBUG", "true")
# A fixed, public key: data encrypted with it is not protected (production needs its own).
os.environ.setdefault("RECOVERY_ENCRYPTION_KEYS", "3nsiDbnxMjGEdudX0yI6dYldPN8qO6PWlVFNCeOTWI0=")
os.environ.setdefault("SECRET_KEY", "local-development-only-not-a-secret")

from .base import *  # noqa: F403
