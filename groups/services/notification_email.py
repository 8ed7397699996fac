"""Which notifications also go by email, and when: the member's choice per kind, their
quiet hours in their own time zone (urgent queue items excepted, if the leader wants),
sent by the background worker. Subjects and bodies never name a group, a thread or
anything said: an email can be read over someone's shoulder."""

import datetime
import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Digest, User
from accounts.unsubscribe import unsubscribe_path
from groups.models import Notification

Kind = Notification.Kind
APP, EMAIL, OFF = "app", "email", "off"
CHOICES = (APP, EMAIL, OFF)
# What matters when a member is away: their own requests and sanctions, and urgent
# items for leaders. Everything else stays on the bell unless the member asks.
EMAIL_BY_DEFAULT = {
    Kind.REQUEST_APPROVED, Kind.REQUEST_DECLINED, Kind.POST_REJECTED, Kind.POST_HIDDEN,
    Kind.WARNING, Kind.MUTE, Kind.BAN, Kind.SANCTION_ENDED, Kind.SANCTION_EXPIRED,
    Kind.APPEAL_OUTCOME,
    Kind.QUEUE_URGENT,
}  # fmt: skip
SUBJECT = gettext_noop("You have new activity on peersupport")
URGENT_SUBJECT = gettext_noop("Something in your peersupport queue needs a look")


def choice_for(user: User, kind: str) -> str:
    choice = (user.notification_choices or {}).get(kind)
    if choice in CHOICES:
        return choice
    return EMAIL if kind in EMAIL_BY_DEFAULT else APP


def wants_email(user: User, kind: str) -> bool:
    return (
        user.is_active and not user.is_deleted and user.email_unsubscribed_at is None
        and choice_for(user, kind) == EMAIL
    )  # fmt: skip


def quiet_until(user: User, now: datetime.datetime) -> datetime.datetime | None:
    """When the member's quiet hours end, if they are in them now."""
    if user.quiet_from is None or user.quiet_until is None or user.quiet_from == user.quiet_until:
        return None
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = now.astimezone(zone)
    start, end = user.quiet_from, user.quiet_until
    t = local.time()
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_day = local.date() if t < end else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(end_day, end, tzinfo=zone)


def body_for(notification: Notification) -> str:
    link = reverse("forum:notifications")
    if notification.is_urgent:
        return _(
            "Something in the queue of a group you lead needs a peer leader soon.\n\n"
            "Sign in to see it: %(link)s"
        ) % {"link": absolute(link)}
    return _(
        "Hello,\n\nThere is something new for you on peersupport. For your privacy we "
        "don't say what in email.\n\nSign in to read it: %(link)s"
    ) % {"link": absolute(link)}


def absolute(path: str) -> str:
    from accounts.tasks import absolute as to_absolute

    return to_absolute(path)


def schedule(notification_ids: list[int], *, now=None) -> int:
    """Enqueue one email per notification the member wants by email; during their
    quiet hours it is enqueued to run when they end. Returns how many were enqueued."""
    from accounts.tasks import email_send

    now = now or timezone.now()
    notes = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
    enqueued = []
    for note in notes.select_related("user"):
        user = note.user
        if not wants_email(user, note.kind):
            continue
        run_after = quiet_until(user, now)
        if note.is_urgent and user.urgent_in_quiet_hours:
            run_after = None
        task = email_send.using(run_after=run_after) if run_after else email_send
        subject = _(URGENT_SUBJECT) if note.is_urgent else _(SUBJECT)
        task.enqueue(user_id=user.pk, subject=subject, body=body_for(note),
                     unsubscribe_path=unsubscribe_path(user))  # fmt: skip
        enqueued.append(note.pk)
    Notification.objects.filter(pk__in=enqueued).update(emailed_at=now)
    return len(enqueued)


DIGEST_SUBJECT = gettext_noop("Your peersupport summary")
WEEKLY_DAY = 0  # Monday


def _local(user: User, now: datetime.datetime) -> datetime.datetime:
    try:
        return now.astimezone(zoneinfo.ZoneInfo(user.time_zone or "UTC"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.astimezone(datetime.UTC)


def digest_due(user: User, now: datetime.datetime) -> bool:
    """At DIGEST_HOUR of the member's own day (Mondays for weekly), once."""
    local = _local(user, now)
    if local.hour != settings.DIGEST_HOUR or user.email_unsubscribed_at is not None:
        return False
    weekly = user.digest == Digest.WEEKLY
    if weekly and local.weekday() != WEEKLY_DAY:
        return False
    gap = datetime.timedelta(days=6, hours=12) if weekly else datetime.timedelta(hours=20)
    return user.digest_sent_at is None or now - user.digest_sent_at >= gap


def remind_urgent(user_ids: list[int], *, now=None) -> int:
    """Email these leaders again about an urgent item still unclaimed."""
    from accounts.tasks import email_send

    now = now or timezone.now()
    sent = 0
    for user in User.objects.filter(pk__in=user_ids):
        if not wants_email(user, Kind.QUEUE_URGENT):
            continue
        run_after = None if user.urgent_in_quiet_hours else quiet_until(user, now)
        task = email_send.using(run_after=run_after) if run_after else email_send
        body = _(
            "An urgent item in the queue of a group you lead has waited a few minutes and "
            "nobody has taken it yet. If you can, please look now.\n\nSign in to see it: "
            "%(link)s"
        ) % {"link": absolute(reverse("moderation:queue"))}
        task.enqueue(user_id=user.pk, subject=_(URGENT_SUBJECT), body=body,
                     unsubscribe_path=unsubscribe_path(user))  # fmt: skip
        sent += 1
    return sent
