"""Mail to one member, sent by the background worker (django.tasks), never inside a
request. Every message carries the help link and a one-click unsubscribe; what it says
is decided by the caller, which keeps health content and group names out of it."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def retry_delay(attempt: int) -> datetime.timedelta:
    """1, 2, 4, 8, 16 minutes (TASK_RETRY_BASE_SECONDS doubles each time)."""
    return datetime.timedelta(seconds=settings.TASK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def footer(unsubscribe_url: str) -> str:
    return _(
        "\n\n--\nIf you need help now: %(help)s\n"
        "To stop these emails: %(unsubscribe)s\n"
        "Change what we send you: %(settings)s\n"
    ) % {
        "help": absolute(reverse("safety:help")),
        "unsubscribe": unsubscribe_url,
        "settings": absolute(reverse("forum:notification_settings")),
    }


@task(queue_name="email")
def email_send(*, user_id: int, subject: str, body: str, unsubscribe_path: str, attempt: int = 1):
    """Send one message to a member. A failure is retried later with a growing delay,
    TASK_RETRY_LIMIT times; the request that asked for it never waits or fails."""
    from accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True, deleted_at__isnull=True).first()
    if user is None:
        return "no such member"
    unsubscribe_url = absolute(unsubscribe_path)
    message = EmailMessage(
        subject=subject,
        body=body + footer(unsubscribe_url),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    try:
        message.send()
    except Exception:
        if attempt >= settings.TASK_RETRY_LIMIT:
            logger.error("gave up sending mail to member %s", user_id, exc_info=True)
            raise
        email_send.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
            user_id=user_id, subject=subject, body=body,
            unsubscribe_path=unsubscribe_path, attempt=attempt + 1,
        )  # fmt: skip
        logger.warning("mail to member %s failed; trying again later", user_id, exc_info=True)
        raise
    return "sent"
