from django import template

from forum.links import post_link

register = template.Library()


@register.filter
def post_url(post) -> str:
    """A lasting link to a post: its thread's page for the post's number, and its anchor."""
    return post_link(post)
