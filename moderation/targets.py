"""What a review item or report is about, read from its one target reference. The
queue's primitives below know only the key ("post:12"); the apps that own the targets
are below moderation, so it reads them here."""

from chat.models import ChatMessage
from forum.models import Post
from groups.models import Membership, Sanction, Target


def post_of(item) -> Post | None:
    if item.target_type != Target.POST:
        return None
    return Post.objects.select_related("thread__group", "author").filter(pk=item.target_id).first()


def message_of(item) -> ChatMessage | None:
    if item.target_type != Target.CHAT:
        return None
    return (
        ChatMessage.objects.select_related("room__group", "author")
        .filter(pk=item.target_id)
        .first()
    )


def request_of(item) -> Membership | None:
    """The membership a join-request item is about."""
    if item.target_type != Target.MEMBERSHIP:
        return None
    return Membership.objects.select_related("user", "group").filter(pk=item.target_id).first()


def sanction_of(item) -> Sanction | None:
    if item.target_type != Target.SANCTION:
        return None
    return Sanction.objects.select_related("group", "user").filter(pk=item.target_id).first()


def subject_membership(item) -> Membership | None:
    """The membership, in the item's group, of the member it is about."""
    if item.group_id is None or item.subject_id is None:
        return None
    return (
        Membership.objects.select_related("user", "group")
        .filter(group=item.group_id, user=item.subject_id)
        .first()
    )


def attach_posts(rows) -> None:
    """Give each item or report about a post its post (`row.post`), in one query."""
    ids = [row.target_id for row in rows if row.target_type == Target.POST]
    posts = Post.objects.select_related("thread", "author").in_bulk(ids)
    for row in rows:
        row.post = posts.get(row.target_id) if row.target_type == Target.POST else None
