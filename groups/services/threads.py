"""Threads, posts, reactions, reports and read pointers."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import automod, permissions
from groups.markdown import SANITIZER_VERSION, render_markdown
from groups.mentions import mentioned_names
from groups.models import (
    ContentWarning,
    Group,
    Membership,
    ModerationLogEntry,
    Notification,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Report,
    ReviewItem,
    Thread,
)
from groups.permissions import Capability, Standing
from groups.services import moderation as queue
from groups.services import support
from groups.services.audit import log_action

Action = ModerationLogEntry.Action
THREADS_PER_HOUR = 5
POSTS_PER_MINUTE = 6


class RateLimited(ValidationError):
    pass


def _check_rate(*, user, since: datetime.timedelta, limit: int, threads: bool) -> None:
    window_start = timezone.now() - since
    if threads:
        recent = Thread.objects.filter(author=user, created_at__gte=window_start).count()
    else:
        recent = Post.objects.filter(author=user, created_at__gte=window_start).count()
    if recent >= limit:
        if threads:
            message = _(
                "You've started %(n)d threads in the last hour, which is our limit. Your "
                "draft is still here: please try again a little later, or add it as a reply."
            ) % {"n": limit}
        else:
            message = _(
                "You're posting very quickly. Please wait a minute and send again; "
                "your message is still here."
            )
        raise RateLimited(message, code="rate_limited")


def _check_rules_accepted(user, group: Group) -> None:
    membership = permissions.membership_of(user, group)
    if membership is not None and membership.needs_to_accept_rules:
        raise PermissionDenied(
            _("The group's rules have changed. Please read and accept them before you post.")
        )


def _must_be_held(user, group: Group) -> bool:
    if permissions.standing(user, group) != Standing.MEMBER:
        return False
    membership = permissions.membership_of(user, group)
    return membership.approved_post_count < group.held_posts_for_new_members


def _render(post: Post) -> None:
    post.rendered_html = render_markdown(post.body)
    post.rendered_version = SANITIZER_VERSION


def _publish(post: Post, thread: Thread) -> None:
    """Give a post its number and make it count. `thread` must be locked FOR UPDATE."""
    thread.last_post_number += 1
    thread.published_post_count += 1
    thread.last_activity_at = timezone.now()
    thread.is_published = True
    post.number = thread.last_post_number
    post.state = Post.State.PUBLISHED
    thread.save(update_fields=["last_post_number", "published_post_count", "last_activity_at",
                               "is_published"])  # fmt: skip
    Group.objects.filter(pk=thread.group_id).update(last_activity_at=thread.last_activity_at)


def _notify(post: Post) -> None:
    """Tell mentioned members, and the thread's author about a reply. Only for
    published posts: held posts notify nobody until approved."""
    thread = post.thread
    names = list(
        Membership.objects.filter(group=thread.group_id, state=Membership.State.ACTIVE)
        .exclude(user=post.author_id)
        .values_list("user__display_name", "user_id")
    )
    mentioned = mentioned_names(post.body, [name for name, _id in names])
    recipients = {
        user_id: Notification.Kind.MENTION for name, user_id in names if name in mentioned
    }
    if post.number != 1 and thread.author_id != post.author_id:
        recipients.setdefault(thread.author_id, Notification.Kind.REPLY)
    Notification.objects.bulk_create(
        [Notification(user_id=user_id, kind=kind, actor_id=post.author_id, post=post)
         for user_id, kind in recipients.items()],
        ignore_conflicts=True,
    )  # fmt: skip


@transaction.atomic
def thread_create(
    *, acting_user, group: Group, title: str, body: str, content_warning: str = "",
    content_warning_note: str = "",
) -> Thread:  # fmt: skip
    permissions.check(acting_user, Capability.START_THREAD, group)
    _check_rules_accepted(acting_user, group)
    _check_rate(user=acting_user, since=datetime.timedelta(hours=1), limit=THREADS_PER_HOUR,
                threads=True)  # fmt: skip
    held = _must_be_held(acting_user, group)
    thread = Thread.objects.create(
        group=group, author=acting_user, title=title, is_published=not held
    )
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _add_post(acting_user, thread, body, content_warning, content_warning_note, held=held)
    return thread


@transaction.atomic
def post_create(
    *, acting_user, thread: Thread, body: str, content_warning: str = "",
    content_warning_note: str = "",
) -> Post:  # fmt: skip
    group = thread.group
    permissions.check(acting_user, Capability.POST, group)
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if thread.is_locked:
        raise PermissionDenied(_("This thread is locked, so no new replies can be added."))
    _check_rules_accepted(acting_user, group)
    _check_rate(user=acting_user, since=datetime.timedelta(minutes=1), limit=POSTS_PER_MINUTE,
                threads=False)  # fmt: skip
    held = _must_be_held(acting_user, group)
    return _add_post(acting_user, thread, body, content_warning, content_warning_note, held=held)


def _add_post(acting_user, thread, body, content_warning, content_warning_note, *, held) -> Post:
    """Save a new post: held for a leader, or published with the next number and its
    notifications. `thread` must be locked FOR UPDATE."""
    group = thread.group
    verdict = automod.check_text(
        f"{thread.title}\n{body}" if thread.last_post_number == 0 else body,
        group=group,
        is_leader=permissions.can(acting_user, Capability.MODERATE, group),
        is_new_member=_must_be_held(acting_user, group),
    )
    if verdict.block_message:
        raise ValidationError({"body": verdict.block_message}, code="blocked")
    hold_reasons = verdict.hold_reasons or ([_("new member's first posts")] if held else [])
    held = bool(hold_reasons)
    post = Post(
        thread=thread, author=acting_user, body=body, content_warning=content_warning,
        content_warning_note=content_warning_note if content_warning else "",
        state=Post.State.HELD if held else Post.State.PUBLISHED,
    )  # fmt: skip
    _render(post)
    if not held:
        _publish(post, thread)
    post.full_clean(exclude=["thread", "author"])
    post.save()
    support.flag_if_crisis(
        author=acting_user, group=group, target_key=f"post:{post.pk}", post=post,
        text=f"{thread.title}\n{body}",
    )  # fmt: skip
    if held:
        if thread.is_published and thread.last_post_number == 0:
            thread.is_published = False  # a held first post keeps its thread unseen
            Thread.objects.filter(pk=thread.pk).update(is_published=False)
        queue.open_item(
            kind=ReviewItem.Kind.HELD_POST,
            target_key=f"post:{post.pk}",
            group=group,
            post=post,
            subject=acting_user,
            actor=acting_user,
            reason="; ".join(hold_reasons),
            snapshot=queue.post_snapshot(post),
        )
    else:
        _notify(post)
        if verdict.flag_reasons:
            queue.open_item(
                kind=ReviewItem.Kind.AUTO_FLAG,
                target_key=f"post:{post.pk}",
                group=group,
                post=post,
                subject=acting_user,
                reason="; ".join(verdict.flag_reasons),
                snapshot=queue.post_snapshot(post),
            )
    return post


def _check_author(acting_user, post: Post) -> None:
    if post.author_id != acting_user.pk:
        raise PermissionDenied(_("You can only change your own posts."))
    if post.state == Post.State.REMOVED_BY_AUTHOR:
        raise PermissionDenied(_("This post has been removed."))


@transaction.atomic
def post_edit(
    *, acting_user, post: Post, body: str, content_warning: str = "",
    content_warning_note: str = "",
) -> Post:  # fmt: skip
    post = (
        Post.objects.select_for_update(of=("self",)).select_related("thread__group").get(pk=post.pk)
    )
    _check_author(acting_user, post)
    permissions.check(acting_user, Capability.POST, post.thread.group)
    if post.thread.is_locked:
        raise PermissionDenied(_("This thread is locked, so its posts can't be edited."))
    note = content_warning_note if content_warning else ""
    if (post.body, post.content_warning, post.content_warning_note) == (
        body,
        content_warning,
        note,
    ):
        return post
    group = post.thread.group
    verdict = automod.check_text(
        body, group=group, is_leader=permissions.can(acting_user, Capability.MODERATE, group),
        is_new_member=_must_be_held(acting_user, group),
    )  # fmt: skip
    if verdict.block_message:
        raise ValidationError({"body": verdict.block_message}, code="blocked")
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
    _render(post)
    post.full_clean(exclude=["thread", "author"])
    post.save()
    reasons = verdict.hold_reasons + verdict.flag_reasons
    if reasons and post.state == Post.State.PUBLISHED:
        queue.open_item(
            kind=ReviewItem.Kind.AUTO_FLAG, target_key=f"post:{post.pk}", group=group, post=post,
            subject=acting_user, reason="; ".join(reasons), snapshot=queue.post_snapshot(post),
        )  # fmt: skip
    support.flag_if_crisis(author=acting_user, group=group, text=body,
                           target_key=f"post:{post.pk}", post=post)  # fmt: skip
    if post.state == Post.State.PUBLISHED:
        _notify(post)
    return post


@transaction.atomic
def post_delete(*, acting_user, post: Post) -> Post:
    """Authors remove their own posts: a tombstone stays so the conversation still reads;
    leaders can still see the words in the moderation views."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    _check_author(acting_user, post)
    post.state = Post.State.REMOVED_BY_AUTHOR
    post.removed_at = timezone.now()
    post.save(update_fields=["state", "removed_at"])
    return post


def _locked_for_a_leader(acting_user, post: Post, *, held: bool = False) -> tuple[Post, Group]:
    """The post, locked, once the acting user is shown to moderate its group (and, with
    held=True, once it is shown to be waiting for approval)."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("thread__group", "author")
        .get(pk=post.pk)
    )
    group = post.thread.group
    permissions.check(acting_user, Capability.MODERATE, group)
    if held and post.state != Post.State.HELD:
        raise ValidationError(_("This post is not waiting for approval."))
    return post, group


@transaction.atomic
def post_approve(*, acting_user, post: Post) -> Post:
    post, group = _locked_for_a_leader(acting_user, post, held=True)
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    _publish(post, thread)
    post.save(update_fields=["number", "state"])
    Membership.objects.filter(group=group, user=post.author_id).update(
        approved_post_count=F("approved_post_count") + 1
    )
    log_action(actor=acting_user, action=Action.POST_APPROVED, group=group,
               target_user=post.author, post=post.pk)  # fmt: skip
    queue.close_items_for(kind=ReviewItem.Kind.HELD_POST, target_key=f"post:{post.pk}",
                          actor=acting_user, decision="approve")  # fmt: skip
    post.thread = thread
    _notify(post)
    return post


@transaction.atomic
def post_reject(*, acting_user, post: Post, reason: str = "") -> Post:
    post, group = _locked_for_a_leader(acting_user, post, held=True)
    post.state = Post.State.REJECTED
    post.moderation_reason = reason
    post.save(update_fields=["state", "moderation_reason"])
    log_action(actor=acting_user, action=Action.POST_REJECTED, group=group,
               target_user=post.author, reason=reason, post=post.pk)  # fmt: skip
    queue.close_items_for(kind=ReviewItem.Kind.HELD_POST, target_key=f"post:{post.pk}",
                          actor=acting_user, decision="reject", reason=reason)  # fmt: skip
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


def _check_visible_post(acting_user, post: Post) -> None:
    if post.state != Post.State.PUBLISHED:
        raise ValidationError(_("You can only react to or report posts that everyone can see."))


@transaction.atomic
def reaction_toggle(*, acting_user, post: Post, kind: str) -> bool:
    """Add the reaction, or take it back if it was there. Returns whether it is on."""
    permissions.check(acting_user, Capability.REACT, post.thread.group)
    _check_visible_post(acting_user, post)
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("That is not one of the reactions."))
    deleted, _rows = Reaction.objects.filter(post=post, user=acting_user, kind=kind).delete()
    if deleted:
        return False
    Reaction.objects.get_or_create(post=post, user=acting_user, kind=kind)
    return True


@transaction.atomic
def post_report(*, acting_user, post: Post, reason: str, note: str = "") -> Report:
    permissions.check(acting_user, Capability.REPORT, post.thread.group)
    if post.state not in {Post.State.PUBLISHED, Post.State.REMOVED_BY_AUTHOR}:
        raise ValidationError(_("This post can't be reported."))
    if post.author_id == acting_user.pk:
        raise ValidationError(_("You can't report your own post. You can edit or remove it."))
    try:
        with transaction.atomic():
            report = Report.objects.create(
                group=post.thread.group, post=post, reporter=acting_user, reason=reason, note=note
            )
    except IntegrityError:
        raise ValidationError(
            _("You've already reported this post. Thank you: the leaders have it."),
            code="already_reported",
        ) from None
    report.review_item = queue.open_item(
        kind=ReviewItem.Kind.REPORT, target_key=f"post:{post.pk}", group=post.thread.group,
        urgent=reason == Report.Reason.RISK, reason=reason, actor=acting_user, post=post,
        subject=post.author, snapshot=queue.post_snapshot(post),
    )  # fmt: skip
    report.save(update_fields=["review_item"])
    return report


def _set_thread_flag(acting_user, thread: Thread, field: str, on: bool, actions) -> Thread:
    """Pin or lock (field "pinned_at" or "locked_at"), logging only a real change."""
    permissions.check(acting_user, Capability.MODERATE, thread.group)
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if (getattr(thread, field) is not None) != on:
        setattr(thread, field, timezone.now() if on else None)
        thread.save(update_fields=[field])
        log_action(actor=acting_user, group=thread.group, thread=thread.pk,
                   action=actions[0] if on else actions[1])  # fmt: skip
    return thread


@transaction.atomic
def thread_set_pinned(*, acting_user, thread: Thread, pinned: bool) -> Thread:
    return _set_thread_flag(acting_user, thread, "pinned_at", pinned,
                            (Action.THREAD_PINNED, Action.THREAD_UNPINNED))  # fmt: skip


@transaction.atomic
def thread_set_locked(*, acting_user, thread: Thread, locked: bool) -> Thread:
    return _set_thread_flag(acting_user, thread, "locked_at", locked,
                            (Action.THREAD_LOCKED, Action.THREAD_UNLOCKED))  # fmt: skip


def read_state_advance(*, user, thread: Thread, number: int) -> None:
    """Move the member's read pointer forward (never back) to `number`."""
    if not user.is_authenticated or number <= 0:
        return
    state, created = ReadState.objects.get_or_create(
        user=user, thread=thread, defaults={"last_read_number": number}
    )
    if not created and state.last_read_number < number:
        ReadState.objects.filter(pk=state.pk, last_read_number__lt=number).update(
            last_read_number=number
        )


def notifications_mark_read(*, user, notification_ids=None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
