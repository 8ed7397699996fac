from django import template

from groups.markdown import render_chat_text, render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter
def chat_text(text):
    return render_chat_text(text)
