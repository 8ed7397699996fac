"""Settings for the test suite and for every server the tests start, so that both
sides of a browser test behave the same."""

import os
import uuid

# A fixed, public key: data encrypted with it is not protected (production needs its own).
os.environ.setdefault("RECOVERY_ENCRYPTION_KEYS", "3nsiDbnxMjGEdudX0yI6dYldPN8qO6PWlVFNCeOTWI0=")
os.environ.setdefault("SECRET_KEY", "test-only-not-a-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peersupport")
# The suite needs Redis (make test makes sure it answers): chat's real channel layer.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
# Redis keys (channel groups, sockets, limits' counters) start with this: one prefix a
# run, so a new test database, which gives out the same user ids again, never meets
# counters from an earlier run (servers the tests start inherit it, or set their own).
os.environ.setdefault("CHANNELS_PREFIX", f"test-{uuid.uuid4().hex[:12]}")

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
# Servers started by the tests connect to the test database by its real name.
# Transactional tests empty the database with DELETE instead of TRUNCATE (see there).
DATABASES["default"]["ENGINE"] = "tests.postgresql"
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
# Tests open and close connections freely; the benchmark sets DB_CONN_MAX_AGE to keep
# them, as production does.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "0"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
