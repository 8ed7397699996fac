"""Development on one machine: `make run`."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "local-development-only-not-a-secret")

from .base import *  # noqa: F403
