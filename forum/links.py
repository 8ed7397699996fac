from django.urls import reverse

from forum.models import Post
from forum.selectors import page_of


def thread_url(thread, *, number: int | None = None) -> str:
    url = reverse("forum:thread", args=[thread.group.slug, thread.pk])
    if number is None:
        return url
    return f"{url}?page={page_of(number)}#post-{number}"


def post_link(post: Post) -> str:
    """A lasting link to a post: its thread's page for the post's number, and its anchor."""
    if not post.number:
        return f"{thread_url(post.thread)}#held-{post.pk}"
    return thread_url(post.thread, number=post.number)
