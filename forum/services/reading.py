"""What a member has read: read pointers (notifications: groups.services.notifications)."""

import datetime

from django.utils import timezone

from forum.models import ReadState, Thread
from forum.selectors import page_of

READ_POINTER_EVERY = datetime.timedelta(minutes=3)


def read_state_advance(*, user, thread: Thread, number: int, known: ReadState | None) -> None:
    """Move the member's read pointer forward (never back) to `number`. `known` is the
    member's pointer as the caller has just read it (None: there is none yet).

    A GET should write only what the member will see, so the pointer is written on a
    first visit and whenever it moves to a later page, but within one page at most
    every READ_POINTER_EVERY: someone reloading a busy thread's last page writes once
    in a few minutes, not at every new reply (the "new" marks may lag that long)."""
    if not user.is_authenticated or number <= 0:
        return
    now = timezone.now()
    if known is None:
        ReadState.objects.get_or_create(
            user=user, thread=thread, defaults={"last_read_number": number, "moved_at": now}
        )
        return
    if number <= known.last_read_number:
        return
    same_page = page_of(number) == page_of(known.last_read_number)
    if same_page and now - known.moved_at < READ_POINTER_EVERY:
        return
    ReadState.objects.filter(pk=known.pk, last_read_number__lt=number).update(
        last_read_number=number, moved_at=now
    )
