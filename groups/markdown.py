"""The one place member-written Markdown becomes HTML, and the only module allowed
to mark HTML as safe. markdown-it-py in js-default mode (raw HTML off), then nh3
with an allow-list: whatever the parser lets through, the sanitizer has the last
word."""

import re
from functools import cache

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Bump when the rules below change, so cached renderings are redone.
SANITIZER_VERSION = 1

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "del", "s", "ul", "ol", "li", "blockquote", "code", "pre",
    "a", "hr", "h3", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener noreferrer"


# Link parsing looks ahead from every "[" for its "]", so thousands of brackets cost
# seconds of CPU (20,000 took 3.4 s). No real post has this many: past it, brackets are
# shown as typed and the text is not scanned for links, which keeps rendering linear.
MAX_LINK_OPENERS = 200


@cache
def _parser(*, links: bool = True) -> MarkdownIt:
    # Headings are demoted so a post cannot outrank the page's own h1 and h2.
    parser = MarkdownIt("js-default").disable(["image"])
    if not links:
        parser.disable(["link", "reference"])
    return parser


def _demote_headings(html: str) -> str:
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    return html


def render_markdown(text: str) -> SafeString:
    text = text or ""
    parser = _parser(links=text.count("[") <= MAX_LINK_OPENERS)
    html = _demote_headings(parser.render(text))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above


def stored_or_rendered(*, body: str, html: str, version: int) -> SafeString:
    """Stored HTML while the current sanitizer made it; otherwise rendered again from
    the Markdown the member wrote (an old rendering never reaches a page)."""
    if version == SANITIZER_VERSION and html:
        return mark_safe(html)  # noqa: S308 - stored output of render_markdown
    return render_markdown(body)


# Chat is plain text: escaped, with web addresses made into links, nothing else.
CHAT_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?)]}'\""


def render_chat_text(text: str) -> SafeString:
    pieces = []
    position = 0
    for match in CHAT_LINK.finditer(text or ""):
        url = match.group(0).rstrip(TRAILING_PUNCTUATION)
        start, end = match.start(), match.start() + len(url)
        pieces.append(escape(text[position:start]))
        pieces.append(f'<a href="{escape(url)}" rel="{LINK_REL}">{escape(url)}</a>')
        position = end
    pieces.append(escape((text or "")[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece escaped above
