"""Every setting, read from the environment. The local, test and production modules
only change what differs between those places."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from groups import limits

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",  # first, so that runserver serves websockets too
    "peersupport.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "channels",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    # Lowest first: each app imports only the ones above it in this list.
    "safety",
    "accounts",
    "groups",
    "forum",
    "chat",
    "moderation",
    # Above moderation: the craving SOS asks a group's leaders for support through it.
    "recovery",
    "peersupport.apps.PeersupportConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "peersupport.middleware.PrivatePagesNotCachedMiddleware",
    "peersupport.middleware.MemberTimeZoneMiddleware",
]

ROOT_URLCONF = "peersupport.urls"
FORM_RENDERER = "peersupport.forms.FormRenderer"
WSGI_APPLICATION = "peersupport.wsgi.application"
ASGI_APPLICATION = "peersupport.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "forum.context_processors.notifications",
                "moderation.context_processors.moderation",
                "peersupport.context_processors.database",
            ],
        },
    },
]

# Database: one PostgreSQL database for accounts, groups, threads, chat and the queue.
#
# Connection budget. Every thread that touches the database holds one connection, so
# each process opens at most as many as it has such threads (PostgreSQL's
# max_connections must cover the sum over all processes, plus psql and cron):
#   gunicorn sync worker:        1 (one thread; kept for DB_CONN_MAX_AGE)
#   ASGI server (daphne/uvicorn) SOCKET_DATABASE_THREADS (sockets' pool, kept)
#                                + ASGI_HTTP_CONCURRENCY (pages served by ASGI; each
#                                  request runs in a thread of its own that ends with
#                                  it, so its connection is closed when it finishes)
#                                + 1 (the shared thread that loads a socket's session)
#                                = 6 + 4 + 1 = 11 by default, per process (per worker)
#   manage.py moderation_tick:   1
# tests/peersupport/test_connection_budget.py holds a server to this under load.
DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peersupport")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# pg_stat_activity names the process type, so the budget can be watched per server.
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = env_str(
    "DB_APPLICATION_NAME", "peersupport"
)
SOCKET_DATABASE_THREADS = env_int("SOCKET_DATABASE_THREADS", 6)
ASGI_HTTP_CONCURRENCY = env_int("ASGI_HTTP_CONCURRENCY", 4)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The database cache keeps allauth's rate limits working across processes and when
# Redis is down; Redis only carries the channel layer.
CACHES = {
    "default": {
        # Django's, raising when the database refuses writes (see peersupport/cache.py).
        "BACKEND": "peersupport.cache.DatabaseCache",
        "LOCATION": "django_cache",
    },
    # Rendered fragments (peersupport/fragments.py): keyed by what they show, so each
    # process keeps its own; about 1 KB an entry.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": 60 * 60 * 24,
        "OPTIONS": {"MAX_ENTRIES": env_int("FRAGMENT_CACHE_ENTRIES", 20_000)},
    },
}

# Channel layer: Redis when REDIS_URL is set (make run sets it when Redis answers),
# otherwise in-memory, which carries chat within one process only.
REDIS_URL = env_str("REDIS_URL", "")
CHANNELS_PREFIX = env_str("CHANNELS_PREFIX", "peersupport")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 otherwise times out idle consumers after 5 seconds.
                # A connection attempt that hangs gives up after 2 seconds.
                "hosts": [
                    {"address": REDIS_URL, "socket_timeout": None, "socket_connect_timeout": 2}
                ],
                "prefix": CHANNELS_PREFIX,
                # A busy room's sockets can fall behind for a moment; the default of
                # 100 messages per channel drops whole messages for everyone on a
                # process (backfill recovers them, but later). Chosen by bench/.
                "capacity": env_int("CHANNELS_CAPACITY", 1000),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Every channel-layer call a socket makes (join, leave, ring) gives up after this many
# seconds: a frozen Redis must not stall a socket. Listening for news is not bounded.
CHANNEL_LAYER_TIMEOUT = env_int("CHANNEL_LAYER_TIMEOUT", 2)
# Sockets one member may hold open at once, over every server process: one per open
# chat or queue tab, so 20 is more tabs than anyone keeps open, yet it stops one
# account from holding thousands (memory, Redis entries, database work per frame).
SOCKETS_PER_MEMBER = env_int("SOCKETS_PER_MEMBER", 20)
# A socket renews its place in that count every SOCKET_HEARTBEAT_SECONDS; a place not
# renewed (its process died) is freed after SOCKET_CLAIM_SECONDS.
SOCKET_HEARTBEAT_SECONDS = env_int("SOCKET_HEARTBEAT_SECONDS", 20)
SOCKET_CLAIM_SECONDS = env_int("SOCKET_CLAIM_SECONDS", 60)

AUTH_USER_MODEL = "accounts.User"
# allauth's (email sign-in), loading with the member what every page asks of them.
AUTHENTICATION_BACKENDS = ["peersupport.auth.MemberBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# What else a deleted account takes with it: functions called with user= inside
# accounts.services.user_delete, for apps above accounts (accounts imports none of them).
ACCOUNT_ERASERS = ["recovery.services.data.recovery_data_erase"]

# Private recovery tools (goals, check-ins, safety plans) are encrypted at rest with
# these Fernet keys, newest first; older keys still decrypt, so keys can be rotated
# (README: "Rotating the recovery encryption key").
RECOVERY_ENCRYPTION_KEYS = env_list("RECOVERY_ENCRYPTION_KEYS")
CSRF_FAILURE_VIEW = "peersupport.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"

# The moderation queue: an urgent item nobody claims within this many minutes goes to
# administrators.
MODERATION_URGENT_ESCALATION_MINUTES = env_int("MODERATION_URGENT_ESCALATION_MINUTES", 10)
# Before that, every leader of the group is emailed again about an unclaimed urgent item.
MODERATION_URGENT_REMIND_MINUTES = env_int("MODERATION_URGENT_REMIND_MINUTES", 3)
# Summary emails go out at this hour of the member's own day (weekly ones on Mondays).
DIGEST_HOUR = env_int("DIGEST_HOUR", 8)

# django-allauth: email login, mandatory verification, no account enumeration.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_DISPLAY = "accounts.display.user_display"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[peersupport] "
# The numbers live with every other limit's, in groups/limits.py.
ACCOUNT_RATE_LIMITS = limits.ACCOUNT_RATE_LIMITS
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "peersupport"

# Background tasks (django.tasks): stored in Postgres by django-tasks-db and run by
# `manage.py db_worker` (a line of deploy/Procfile: make run and make prod start it),
# so nothing a request does waits for a mail server. A site that outgrows one worker
# swaps BACKEND for a distributed queue's django.tasks backend; no task changes.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "email"],
    }
}
# A failed send is tried again after 1, 2, 4, 8 and 16 minutes, then given up and logged.
TASK_RETRY_LIMIT = env_int("TASK_RETRY_LIMIT", 5)
TASK_RETRY_BASE_SECONDS = env_int("TASK_RETRY_BASE_SECONDS", 60)

# Links in mail are absolute, to this address; mail greets members by SITE_NAME.
SITE_NAME = env_str("SITE_NAME", "peersupport")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Mail: console by default; SMTP when EMAIL_URL-style settings are given.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "peersupport <no-reply@peersupport.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_DIR = env_str("EMAIL_DIR", "")
if env_str("SMTP_HOST", ""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("SMTP_HOST"),
                "port": env_int("SMTP_PORT", 587),
                "username": env_str("SMTP_USER", ""),
                "password": env_str("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_USE_TLS", True),
            },
        }
    }
elif EMAIL_DIR:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": EMAIL_DIR},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Security baseline, tightened further in production.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
