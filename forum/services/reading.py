"""What a member has read: read pointers."""

from forum.models import ReadState, Thread


def read_state_advance(*, user, thread: Thread, number: int, known: int | None = None) -> None:
    """Move the member's read pointer forward (never back) to `number`. `known` is the
    pointer as the caller has just read it (0: none yet), which spares a query, and
    every query when the pointer need not move."""
    if not user.is_authenticated or number <= 0:
        return
    if known is not None and number <= known:
        return
    if known:
        ReadState.objects.filter(user=user, thread=thread, last_read_number__lt=number).update(
            last_read_number=number
        )
        return
    state, created = ReadState.objects.get_or_create(
        user=user, thread=thread, defaults={"last_read_number": number}
    )
    if not created and state.last_read_number < number:
        ReadState.objects.filter(pk=state.pk, last_read_number__lt=number).update(
            last_read_number=number
        )
