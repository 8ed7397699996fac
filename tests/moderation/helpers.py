"""Helpers shared by the moderation tests: finding queue items, acting on them as a
leader, and small readers for the queue pages. (Reports and the people and groups
they are about are built in tests/factories.py.)"""

import html
import re

from django.urls import reverse
from django.utils.html import strip_tags

from forum.models import Post
from groups.models import ModerationLogEntry, ReviewItem
from moderation.services import decisions as decision_services

IN_MEMORY_LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
QUEUE_URL = "/moderation/"
MY_REPORTS_URL = "/moderation/my-reports/"


def text_of(response) -> str:
    """The page as a person reads it: no tags, entities such as &#x27; turned back into
    text, and runs of white space made one space."""
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def live_item(kind: str, target_key: str) -> ReviewItem:
    return ReviewItem.objects.get(kind=kind, target_key=target_key, status__in=ReviewItem.LIVE)


def post_item(kind: str, post: Post) -> ReviewItem:
    """The newest item of this kind about the post, live or not."""
    return ReviewItem.objects.filter(kind=kind, target_key=f"post:{post.pk}").latest("created_at")


def item_url(item: ReviewItem) -> str:
    return reverse("moderation:item", args=[item.pk])


def queue_item_ids(page_html: str) -> list[int]:
    """The items on a queue page, in the order they are listed."""
    return [int(pk) for pk in re.findall(r'href="/moderation/items/(\d+)/"', page_html)]


def log_rows() -> list[dict]:
    """Every moderation-log row with all its fields, oldest first."""
    return list(ModerationLogEntry.objects.order_by("pk").values())


def act(item: ReviewItem, leader, action: str, **kwargs) -> ReviewItem:
    return decision_services.item_act(acting_user=leader, item=item, action=action, **kwargs)
