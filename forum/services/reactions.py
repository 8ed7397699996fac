"""Responding to a post: supportive reactions, and reporting it to the leaders."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forum.links import post_link
from forum.models import Post, Reaction
from forum.services.threads import post_key, post_snapshot
from groups import permissions
from groups.models import Notification, Report
from groups.permissions import Capability
from groups.services import notifications
from groups.services.reports import report_file


@transaction.atomic
def reaction_toggle(*, acting_user, post: Post, kind: str) -> bool:
    """Add the reaction, or take it back if it was there. Returns whether it is on."""
    permissions.check(acting_user, Capability.REACT, post.thread.group)
    if post.state != Post.State.PUBLISHED:
        raise ValidationError(_("You can only react to or report posts that everyone can see."))
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("That is not one of the reactions."))
    deleted, _rows = Reaction.objects.filter(post=post, user=acting_user, kind=kind).delete()
    if not deleted:
        Reaction.objects.get_or_create(post=post, user=acting_user, kind=kind)
    _tell_author(acting_user, post, kind)
    return not deleted


def _tell_author(acting_user, post: Post, kind: str) -> None:
    """One notification per post and reaction: "3 people sent strength"."""
    notifications.notify_grouped(
        user_id=post.author_id, kind=Notification.Kind.REACTION,
        grouping=f"reaction:{kind}:{post.pk}",
        count=Reaction.objects.filter(post=post, kind=kind).exclude(user=post.author_id).count(),
        actor=acting_user, group=post.thread.group, target_key=post_key(post),
        link=post_link(post), about=post.thread.title,
    )  # fmt: skip


def post_report(*, acting_user, post: Post, reason: str, note: str = "") -> Report:
    if post.state not in {Post.State.PUBLISHED, Post.State.REMOVED_BY_AUTHOR}:
        raise ValidationError(_("This post can't be reported."))
    if post.author_id == acting_user.pk:
        raise ValidationError(_("You can't report your own post. You can edit or remove it."))
    return report_file(
        acting_user=acting_user, group=post.thread.group, target_key=post_key(post),
        subject=post.author, reason=reason, note=note, snapshot=post_snapshot(post),
        already_reported=_("You've already reported this post. Thank you: the leaders "
                           "have it."),
    )  # fmt: skip
