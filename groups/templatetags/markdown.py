from django import template
from django.utils.safestring import mark_safe

from groups.markdown import SANITIZER_VERSION, render_chat_text, render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter
def post_html(post):
    """A post's HTML: the stored rendering while it was made by the current sanitizer,
    otherwise rendered again from the Markdown the member wrote."""
    if post.rendered_version == SANITIZER_VERSION and post.rendered_html:
        return mark_safe(post.rendered_html)  # noqa: S308 - stored output of render_markdown
    return render_markdown(post.body)


@register.filter
def chat_text(text):
    return render_chat_text(text)
