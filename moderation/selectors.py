"""Reads for the queue pages: what each leader may see, with its target attached, in
a fixed number of queries."""

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce

from forum.models import Post
from groups import permissions
from groups.models import Group, Report, ReviewItem, Sanction
from moderation import targets
from moderation.services.appeals import appeal_key

QUEUE_LIMIT = 200


def queue(user, *, group_slug: str = "", kind: str = "", reason: str = "") -> list[ReviewItem]:
    items = (
        permissions.live_items_visible_to(user)
        .select_related("group", "subject", "claimed_by")
        .annotate(report_count=Count("reports"), waiting=Coalesce("reopened_at", "created_at"))
    )
    if group_slug:
        items = items.filter(group__slug=group_slug)
    if kind in ReviewItem.Kind.values:
        items = items.filter(kind=kind)
    if reason in Report.Reason.values:
        items = items.filter(reasons__contains=[reason])
    items = list(items.order_by("urgency", "waiting", "pk")[:QUEUE_LIMIT])
    targets.attach_posts(items)
    return items


def queue_groups(user) -> QuerySet[Group]:
    """The groups whose items the user may see, for the queue's filter."""
    return Group.objects.filter(pk__in=permissions.items_visible_to(user).values("group")).order_by(
        "name"
    )


def item_for_user(user, pk: int) -> ReviewItem | None:
    item = (
        ReviewItem.objects.select_related("group", "subject", "claimed_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if item is None or not permissions.can_handle_item(user, item):
        return None
    return item


def item_details(item: ReviewItem) -> dict:
    """What a leader needs to decide: the target (attached to the item as `post`,
    `chat_message`, `membership` or `sanction`), the posts around it, the reports, the
    history, and the member's earlier items and sanctions in the group."""
    item.post = post = targets.post_of(item)
    item.chat_message = targets.message_of(item)
    item.membership = targets.request_of(item)
    item.sanction = targets.sanction_of(item)
    context_posts = []
    if post is not None:
        middle = post.number or post.thread.last_post_number
        context_posts = list(
            Post.objects.filter(thread=post.thread, number__in=range(middle - 2, middle + 3))
            .exclude(pk=post.pk).select_related("author").order_by("number")
        )  # fmt: skip
    history_items, history_sanctions = [], []
    if item.subject_id and item.group_id:
        history_items = list(
            ReviewItem.objects.filter(group=item.group, subject=item.subject)
            .exclude(pk=item.pk).order_by("-created_at")[:20]
        )  # fmt: skip
        history_sanctions = list(Sanction.objects.filter(user=item.subject, group=item.group)[:20])
    return {
        "context_posts": context_posts,
        "reports": item.reports.select_related("reporter").order_by("created_at"),
        "events": item.events.select_related("actor"),
        "history_items": history_items,
        "history_sanctions": history_sanctions,
    }


def reports_by(user) -> list[Report]:
    reports = list(
        Report.objects.filter(reporter=user)
        .select_related("group", "subject", "review_item")
        .order_by("-created_at")[:100]
    )
    targets.attach_posts(reports)
    return reports


def own_sanction(user, pk: int) -> Sanction | None:
    return Sanction.objects.select_related("group", "appeal").filter(pk=pk, user=user).first()


def appeal_item(sanction: Sanction) -> ReviewItem | None:
    return (
        ReviewItem.objects.filter(kind=ReviewItem.Kind.APPEAL, target_key=appeal_key(sanction))
        .order_by("-created_at")
        .first()
    )
