"""Changing a post after it is written: the author edits or removes it; a peer leader
approves, rejects, hides it or adds a content warning."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.links import post_link
from forum.models import ContentWarning, Post, PostRevision, Thread
from forum.services.threads import (
    notify,
    post_key,
    post_snapshot,
    publish,
    render,
    screen,
)
from groups import limits, permissions
from groups.models import Group, Membership, ModerationLogEntry, Notification, ReviewItem
from groups.permissions import Capability
from groups.services import notifications, queue, screening
from groups.services.audit import log_action

Action = ModerationLogEntry.Action


def _locked(post: Post) -> Post:
    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("thread__group", "author")
        .get(pk=post.pk)
    )


@transaction.atomic
def post_edit(
    *, acting_user, post: Post, body: str, content_warning: str = "",
    content_warning_note: str = "",
) -> Post:  # fmt: skip
    post = _locked(post)
    permissions.check_can_edit_post(acting_user, post)
    note = content_warning_note if content_warning else ""
    if (post.body, post.content_warning, post.content_warning_note) == (
        body, content_warning, note,
    ):  # fmt: skip
        return post
    group = post.thread.group
    verdict = screen(acting_user, group, body)
    if verdict.hold_reasons and post.state == Post.State.PUBLISHED:
        # Already public, so it can't wait for review: the edit is refused instead.
        raise ValidationError(
            {"body": _(
                "Your edit includes something a peer leader needs to check first (%(what)s). "
                "Please take it out, or add it as a new reply, which a leader will look at. "
                "Your text is still here."
            ) % {"what": ", ".join(verdict.hold_reasons)}},
            code="needs_review",
        )  # fmt: skip
    PostRevision.objects.create(
        post=post, body=post.body, content_warning=post.content_warning,
        content_warning_note=post.content_warning_note,
        created_at=post.edited_at or post.created_at,
    )  # fmt: skip
    post.body = body
    post.content_warning = content_warning
    post.content_warning_note = note
    post.edited_at = timezone.now()
    render(post)
    post.full_clean(exclude=["thread", "author"])
    post.save()
    key = post_key(post)
    if post.state == Post.State.PUBLISHED:
        screening.flag_for_review(group=group, target_key=key, subject=acting_user,
                                  reasons=verdict.hold_reasons + verdict.flag_reasons,
                                  snapshot=post_snapshot(post))  # fmt: skip
    screening.flag_if_crisis(author=acting_user, group=group, text=body, target_key=key)
    if post.state == Post.State.PUBLISHED:
        notify(post)
    # Last: only an edit that would be saved is counted.
    limits.take(limits.POST_EDIT, acting_user.pk, _(
        "You're editing very quickly. Please wait a minute and save again; your text is "
        "still here."
    ))  # fmt: skip
    return post


@transaction.atomic
def post_delete(*, acting_user, post: Post) -> Post:
    """Authors remove their own posts: a tombstone stays so the conversation still reads;
    leaders can still see the words in the moderation views."""
    post = _locked(post)
    permissions.check_is_author(acting_user, post)
    post.state = Post.State.REMOVED_BY_AUTHOR
    post.removed_at = timezone.now()
    post.save(update_fields=["state", "removed_at"])
    return post


def _locked_for_a_leader(acting_user, post: Post, *, held: bool = False) -> tuple[Post, Group]:
    """The post, locked, once the acting user is shown to moderate its group (and, with
    held=True, once it is shown to be waiting for approval)."""
    post = _locked(post)
    group = post.thread.group
    permissions.check(acting_user, Capability.MODERATE, group)
    if held and post.state != Post.State.HELD:
        raise ValidationError(_("This post is not waiting for approval."))
    return post, group


def _close_held_item(acting_user, post: Post, decision: str, reason: str = "") -> None:
    queue.close_items_for(kind=ReviewItem.Kind.HELD_POST, target_key=post_key(post),
                          actor=acting_user, decision=decision, reason=reason)  # fmt: skip


@transaction.atomic
def post_approve(*, acting_user, post: Post) -> Post:
    post, group = _locked_for_a_leader(acting_user, post, held=True)
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    publish(post, thread)
    post.save(update_fields=["number", "state"])
    Membership.objects.filter(group=group, user=post.author_id).update(
        approved_post_count=F("approved_post_count") + 1
    )
    log_action(actor=acting_user, action=Action.POST_APPROVED, group=group,
               target_user=post.author, post=post.pk)  # fmt: skip
    _close_held_item(acting_user, post, "approve")
    post.thread = thread
    _tell_author(acting_user, post, Notification.Kind.POST_APPROVED)
    notify(post)
    return post


def _tell_author(acting_user, post: Post, kind: str, reason: str = "") -> None:
    notifications.notify(
        user_ids=[post.author_id], kind=kind, actor=acting_user, group=post.thread.group,
        target_key=post_key(post), link=post_link(post), about=post.thread.title,
        detail=reason,
    )  # fmt: skip


@transaction.atomic
def post_reject(*, acting_user, post: Post, reason: str = "") -> Post:
    post, group = _locked_for_a_leader(acting_user, post, held=True)
    post.state = Post.State.REJECTED
    post.moderation_reason = reason
    post.save(update_fields=["state", "moderation_reason"])
    log_action(actor=acting_user, action=Action.POST_REJECTED, group=group,
               target_user=post.author, reason=reason, post=post.pk)  # fmt: skip
    _close_held_item(acting_user, post, "reject", reason)
    _tell_author(acting_user, post, Notification.Kind.POST_REJECTED, reason)
    return post


@transaction.atomic
def post_hide(*, acting_user, post: Post, reason: str) -> Post:
    """A leader hides a post: others see that a leader removed it, the author sees
    why, leaders can still read it. Nothing is deleted."""
    post, group = _locked_for_a_leader(acting_user, post)
    if post.state not in {Post.State.PUBLISHED, Post.State.HELD}:
        raise ValidationError(_("This post is not showing, so there is nothing to hide."))
    post.state = Post.State.HIDDEN
    post.moderation_reason = reason
    post.save(update_fields=["state", "moderation_reason"])
    log_action(actor=acting_user, action=Action.POST_HIDDEN, group=group,
               target_user=post.author, reason=reason, post=post.pk)  # fmt: skip
    _tell_author(acting_user, post, Notification.Kind.POST_HIDDEN, reason)
    return post


@transaction.atomic
def post_add_content_warning(*, acting_user, post: Post, content_warning: str, note: str = ""):
    post, group = _locked_for_a_leader(acting_user, post)
    if content_warning not in ContentWarning.values or not content_warning:
        raise ValidationError({"content_warning": _("Please choose a content warning.")})
    post.content_warning = content_warning
    post.content_warning_note = note
    post.save(update_fields=["content_warning", "content_warning_note"])
    log_action(actor=acting_user, action=Action.CONTENT_WARNING_ADDED, group=group,
               target_user=post.author, post=post.pk, content_warning=content_warning)  # fmt: skip
    return post
