"""The real background worker (`manage.py db_worker`, as the Procfile starts it for
the production shape), run against the test database in a process of its own."""

import email
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[1]


def worker_env(mail_dir: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "peersupport.settings.test",
            "TEST_DATABASE_NAME": settings.DATABASES["default"]["NAME"],
            "EMAIL_DIR": str(mail_dir),
            "DB_APPLICATION_NAME": "peersupport-worker",
        }
    )
    env.pop("SMTP_HOST", None)
    env.update(extra)
    return env


def run_worker_batch(mail_dir: Path, timeout: float = 60, **extra) -> subprocess.CompletedProcess:
    """Run every task that is due, then exit (the worker's --batch mode)."""
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--queue-name", "*",
         "--no-startup-delay", "--no-reload", "-v", "2"],
        cwd=BASE_DIR, env=worker_env(mail_dir, **extra), capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def mails_in(mail_dir: Path) -> list[email.message.Message]:
    """The messages the file backend wrote (one file per connection, messages split by
    a line of dashes)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip() + "\n"))
    return messages
