"""Starting threads and replying: a post is saved, screened, held for a leader or
published with the next number, and the people it concerns are told. Pin and lock."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.links import post_link
from forum.mentions import mentioned_names
from forum.models import Post, Thread
from groups import limits, permissions
from groups.markdown import SANITIZER_VERSION, render_markdown
from groups.models import Group, Membership, ModerationLogEntry, Notification, ReviewItem, Target
from groups.models.queue import target_key
from groups.permissions import Capability, Standing
from groups.services import notifications, queue, screening
from groups.services.audit import log_action

Action = ModerationLogEntry.Action


def post_key(post: Post) -> str:
    return target_key(Target.POST, post.pk)


def post_snapshot(post: Post) -> str:
    """The post as a leader sees it in the queue: thread title, warning, words."""
    warning = f"[{post.get_content_warning_display()}] " if post.content_warning else ""
    return f"{post.thread.title}\n\n{warning}{post.body}"


def _check_thread_rate(user) -> None:
    limits.take(limits.THREAD_START, user.pk, _(
        "You've started %(n)d threads in the last hour, which is our limit. Your "
        "draft is still here: please try again a little later, or add it as a reply."
    ) % {"n": limits.THREAD_START.burst})  # fmt: skip


def _check_reply_rate(user) -> None:
    limits.take(limits.REPLY, user.pk, _(
        "You're posting very quickly. Please wait a minute and send again; "
        "your message is still here."
    ))  # fmt: skip


def check_rules_accepted(user, group: Group) -> None:
    membership = permissions.membership_of(user, group)
    if membership is not None and membership.needs_to_accept_rules:
        raise PermissionDenied(
            _("The group's rules have changed. Please read and accept them before you post.")
        )


def is_held_for_approval(user, group: Group) -> bool:
    """A new member's first posts wait for a leader."""
    if permissions.standing(user, group) != Standing.MEMBER:
        return False
    membership = permissions.membership_of(user, group)
    return membership.approved_post_count < group.held_posts_for_new_members


def screen(acting_user, group: Group, text: str) -> screening.Verdict:
    verdict = screening.check_text(
        text, group=group, is_leader=permissions.can(acting_user, Capability.MODERATE, group),
        is_new_member=is_held_for_approval(acting_user, group),
    )  # fmt: skip
    if verdict.block_message:
        raise ValidationError({"body": verdict.block_message}, code="blocked")
    return verdict


def render(post: Post) -> None:
    post.rendered_html = render_markdown(post.body)
    post.rendered_version = SANITIZER_VERSION


def publish(post: Post, thread: Thread) -> None:
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


def notify(post: Post) -> None:
    """Tell mentioned members, and the thread's author about a reply. Only for
    published posts: held posts notify nobody until approved."""
    thread = post.thread
    names = list(
        Membership.objects.active().filter(group=thread.group_id)
        .exclude(user=post.author_id)
        .values_list("user__display_name", "user_id")
    )  # fmt: skip
    mentioned = mentioned_names(post.body, [name for name, _id in names])
    mentions = [user_id for name, user_id in names if name in mentioned]
    replied_to = []
    if post.number != 1 and thread.author_id != post.author_id:
        replied_to = [thread.author_id] if thread.author_id not in mentions else []
    about = {"actor": post.author, "group": thread.group, "target_key": post_key(post),
             "link": post_link(post), "about": thread.title, "once": True}  # fmt: skip
    notifications.notify(user_ids=mentions, kind=Notification.Kind.MENTION, **about)
    notifications.notify(user_ids=replied_to, kind=Notification.Kind.REPLY, **about)


def _locked_thread(thread: Thread) -> Thread:
    return Thread.objects.select_for_update(of=("self",)).select_related("group").get(pk=thread.pk)


@transaction.atomic
def thread_create(
    *, acting_user, group: Group, title: str, body: str, content_warning: str = "",
    content_warning_note: str = "",
) -> Thread:  # fmt: skip
    permissions.check(acting_user, Capability.START_THREAD, group)
    check_rules_accepted(acting_user, group)
    held = is_held_for_approval(acting_user, group)
    thread = Thread.objects.create(
        group=group, author=acting_user, title=title, is_published=not held
    )
    thread = _locked_thread(thread)
    _add_post(acting_user, thread, body, content_warning, content_warning_note, held=held)
    _check_thread_rate(acting_user)  # last: only what would be saved is counted
    return thread


@transaction.atomic
def post_create(
    *, acting_user, thread: Thread, body: str, content_warning: str = "",
    content_warning_note: str = "",
) -> Post:  # fmt: skip
    thread = _locked_thread(thread)
    group = thread.group
    permissions.check_can_reply(acting_user, thread)
    check_rules_accepted(acting_user, group)
    held = is_held_for_approval(acting_user, group)
    post = _add_post(acting_user, thread, body, content_warning, content_warning_note, held=held)
    _check_reply_rate(acting_user)  # last: only what would be saved is counted
    return post


def _add_post(acting_user, thread, body, content_warning, content_warning_note, *, held) -> Post:
    """Save a new post: held for a leader, or published with the next number and its
    notifications. `thread` must be locked FOR UPDATE."""
    group = thread.group
    first = thread.last_post_number == 0
    verdict = screen(acting_user, group, f"{thread.title}\n{body}" if first else body)
    hold_reasons = verdict.hold_reasons or ([_("new member's first posts")] if held else [])
    held = bool(hold_reasons)
    post = Post(
        thread=thread, author=acting_user, body=body, content_warning=content_warning,
        content_warning_note=content_warning_note if content_warning else "",
        state=Post.State.HELD if held else Post.State.PUBLISHED,
    )  # fmt: skip
    render(post)
    if not held:
        publish(post, thread)
    post.full_clean(exclude=["thread", "author"])
    post.save()
    key = post_key(post)
    # What this member wrote: a reply does not carry the words of the thread's title.
    screening.flag_if_crisis(author=acting_user, group=group, target_key=key,
                             text=f"{thread.title}\n{body}" if first else body)  # fmt: skip
    if held:
        if thread.is_published and first:
            thread.is_published = False  # a held first post keeps its thread unseen
            Thread.objects.filter(pk=thread.pk).update(is_published=False)
        queue.open_item(
            kind=ReviewItem.Kind.HELD_POST, target_key=key, group=group, subject=acting_user,
            actor=acting_user, reason="; ".join(hold_reasons), snapshot=post_snapshot(post),
        )  # fmt: skip
    else:
        notify(post)
        screening.flag_for_review(group=group, target_key=key, subject=acting_user,
                                  reasons=verdict.flag_reasons,
                                  snapshot=post_snapshot(post))  # fmt: skip
    return post


def _set_thread_flag(acting_user, thread: Thread, field: str, on: bool, actions) -> Thread:
    """Pin or lock (field "pinned_at" or "locked_at"), logging only a real change."""
    permissions.check(acting_user, Capability.MODERATE, thread.group)
    thread = _locked_thread(thread)
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
