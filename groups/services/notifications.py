"""The one home for telling members what happened. Every domain calls it downward, in
its own transaction: the rows commit with the change they describe, and after commit
the member's open pages are rung (the bell updates live) and, where the member chose
email, the background worker is asked to send a discreet one."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from groups.models import Membership, Notification
from groups.sockets import bell_channel, ring_from_sync

logger = logging.getLogger(__name__)
Kind = Notification.Kind


def _after_commit(notifications: list[Notification]) -> None:
    if not notifications:
        return
    from groups.services import notification_email  # the email side, for the worker

    events = [(note.user_id, {"type": "notification.new", "id": note.pk,
                              "urgent": note.is_urgent}) for note in notifications]  # fmt: skip
    ids = [note.pk for note in notifications]

    def after():
        for user_id, event in events:
            try:
                ring_from_sync(bell_channel(user_id), event)
            except Exception:  # the bell is right on the next page load anyway
                logger.warning("could not ring a member's pages", exc_info=True)
        notification_email.schedule(ids)

    transaction.on_commit(after)


def _turned_off(user_ids, kind: str) -> set[int]:
    return set(
        User.objects.filter(pk__in=user_ids, notification_choices__contains={kind: "off"})
        .values_list("pk", flat=True)
    )  # fmt: skip


def notify(*, user_ids, kind: str, actor=None, group=None, target_key: str = "",
           link: str = "", about: str = "", detail: str = "", once: bool = False):  # fmt: skip
    """Tell each member once. With once=True a repeat about the same target and kind
    is ignored (a post edited after its mention does not notify again)."""
    actor_id = getattr(actor, "pk", None)
    user_ids = [uid for uid in dict.fromkeys(user_ids) if uid and uid != actor_id]
    if not user_ids:
        return []
    off = _turned_off(user_ids, kind)
    user_ids = [uid for uid in user_ids if uid not in off]
    grouping = f"{kind}:{target_key}" if once else ""
    fields = {"kind": kind, "actor_id": actor_id, "group": group, "target_key": target_key,
              "link": link, "about": about[:200], "detail": detail,
              "grouping": grouping}  # fmt: skip
    if once:
        told = Notification.objects.filter(user_id__in=user_ids, grouping=grouping)
        told = set(told.values_list("user_id", flat=True))
        user_ids = [uid for uid in user_ids if uid not in told]
    rows = [Notification(user_id=uid, **fields) for uid in user_ids]
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows)
    except IntegrityError:  # told a moment ago by a concurrent edit: once is enough
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        return []
    _after_commit(created)
    return created


def notify_grouped(*, user_id: int, kind: str, grouping: str, count: int, actor, group,
                   target_key: str, link: str, about: str):  # fmt: skip
    """One row stands for many people ("3 people sent strength"): a new one updates the
    count and brings the row back, unread, to the top. A count of 0 removes it."""
    if user_id == getattr(actor, "pk", None) or _turned_off([user_id], kind):
        return None
    existing = Notification.objects.filter(user_id=user_id, grouping=grouping)
    if count <= 0:
        existing.delete()
        return None
    values = {"kind": kind, "count": count, "actor": actor, "group": group,
              "target_key": target_key, "link": link, "about": about[:200]}  # fmt: skip
    note = existing.select_for_update().first()
    if note is not None and count <= note.count:
        existing.update(count=count)  # someone took theirs back: quietly one fewer
        return note
    values.update(created_at=timezone.now(), read_at=None)
    if note is None:
        try:
            with transaction.atomic():
                note = Notification.objects.create(user_id=user_id, grouping=grouping, **values)
        except IntegrityError:  # created a moment ago by someone else's reaction
            note = existing.select_for_update().get()
    if note.count != count or note.read_at is not None:
        for field, value in values.items():
            setattr(note, field, value)
        note.save()
    _after_commit([note])
    return note


def notify_leaders(*, group, kind: str, target_key: str, link: str, exclude=()) -> None:
    """Every leader and owner of the group (or, with no group, nobody: staff are told
    by the escalation mail)."""
    if group is None:
        return
    leader_ids = list(Membership.objects.leading().filter(group=group)
                      .exclude(user_id__in=exclude).values_list("user_id", flat=True))  # fmt: skip
    notify(user_ids=leader_ids, kind=kind, group=group, target_key=target_key, link=link)


def notifications_mark_read(*, user, notification_ids=None) -> int:
    """Mark the member's own notifications read (some, or all); their other open pages
    are rung so the bell's count follows."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    marked = unread.update(read_at=timezone.now())
    if marked:
        user_id = user.pk

        def after():
            try:
                ring_from_sync(bell_channel(user_id), {"type": "notification.read"})
            except Exception:  # the bell is right on the next page load anyway
                logger.warning("could not ring a member's pages", exc_info=True)

        transaction.on_commit(after)
    return marked
