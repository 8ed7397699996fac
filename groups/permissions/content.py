"""Rules about content: locks, unpublished threads and posts, authorship, chat rooms.
Forum and chat objects are read through their attributes, never imported."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from groups.models import Group
from groups.permissions.table import Capability, can, check

# Locks: a locked thread or a paused chat stops members writing; the group's leaders
# may still write there (a closing note, crisis resources), as in Discourse and
# Misago, so threads and chat follow this one rule.


def check_can_write(user, group: Group, capability: Capability, *, locked: bool, refusal: str):
    check(user, capability, group)
    if locked and not can(user, Capability.MODERATE, group):
        raise PermissionDenied(refusal)


# Threads and posts (forum objects, read through their attributes)


def check_can_see_thread(user, thread) -> None:
    """404 for a thread the user may not know about: an unpublished thread (its first
    post is held) is seen only by its author and the group's leaders."""
    check(user, Capability.READ, thread.group)
    if (
        not thread.is_published
        and thread.author_id != user.pk
        and not can(user, Capability.MODERATE, thread.group)
    ):
        raise Http404


def check_can_see_post(user, post) -> None:
    """404 for a held or rejected post, except for its author and the group's leaders."""
    group = post.thread.group
    check(user, Capability.READ, group)
    if (
        post.is_unpublished
        and post.author_id != user.pk
        and not can(user, Capability.MODERATE, group)
    ):
        raise Http404


def check_can_reply(user, thread) -> None:
    check_can_write(
        user, thread.group, Capability.POST, locked=thread.is_locked,
        refusal=_("This thread is locked, so no new replies can be added."),
    )  # fmt: skip


def can_reply(user, thread) -> bool:
    try:
        check_can_reply(user, thread)
    except (PermissionDenied, Http404):
        return False
    return True


def check_is_author(user, post) -> None:
    if post.author_id != user.pk:
        raise PermissionDenied(_("You can only change your own posts."))
    if post.state == post.State.REMOVED_BY_AUTHOR:
        raise PermissionDenied(_("This post has been removed."))


def check_can_edit_in_thread(user, thread) -> None:
    """Whether the user may edit their own posts in this thread (locks included)."""
    check_can_write(
        user, thread.group, Capability.POST, locked=thread.is_locked,
        refusal=_("This thread is locked, so its posts can't be edited."),
    )  # fmt: skip


def can_edit_in_thread(user, thread) -> bool:
    try:
        check_can_edit_in_thread(user, thread)
    except (PermissionDenied, Http404):
        return False
    return True


def check_can_edit_post(user, post) -> None:
    check_is_author(user, post)
    check_can_edit_in_thread(user, post.thread)


# Chat rooms (read through their attributes: group, is_for_leaders, is_locked)


def check_can_read_room(user, room) -> None:
    if not user.is_active:
        raise PermissionDenied(_("This account is no longer active."))
    group = room.group
    check(user, Capability.READ, group)
    if room.is_for_leaders:
        check(user, Capability.MODERATE, group)
    elif not can(user, Capability.SEE_MEMBERS, group):
        # Chat is a members' room even in a public group.
        raise PermissionDenied(_("Only members of this group can join its chat."))


def can_read_room(user, room) -> bool:
    try:
        check_can_read_room(user, room)
    except (PermissionDenied, Http404):
        return False
    return True


def check_can_send_in_room(user, room) -> None:
    check_can_read_room(user, room)
    check_can_write(
        user, room.group, Capability.CHAT, locked=room.is_locked,
        refusal=_("A peer leader has paused this chat. You can still read."),
    )  # fmt: skip


def is_exempt_from_slow_mode(user, room) -> bool:
    return can(user, Capability.MODERATE, room.group)
