"""The one place member-written Markdown becomes HTML, and the only module allowed
to mark HTML as safe. markdown-it-py in js-default mode (raw HTML off), then nh3
with an allow-list: whatever the parser lets through, the sanitizer has the last
word.

Web addresses typed bare become links, in posts and in chat alike, found by one
linkify-it-py instance (markdown-it's linkify): chat text is rendered here too and
sent to the browser as HTML, so no other code looks for links."""

import re
from functools import cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Bump when the rules below change, so cached renderings are redone.
SANITIZER_VERSION = 2  # 2: bare web addresses became links

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


def _as_typed(url: str) -> str:
    """A link's text is what the member typed: markdown-it would show a punycode
    host in Unicode, so xn--80ak6aa92e.com would read as a look-alike of apple.com."""
    return url


@cache
def _parser(*, links: bool = True) -> MarkdownIt:
    # Headings are demoted so a post cannot outrank the page's own h1 and h2.
    parser = MarkdownIt("js-default", {"linkify": True}).enable("linkify").disable(["image"])
    parser.normalizeLinkText = _as_typed
    # Every parser finds links with the same rules: this one instance's.
    parser.linkify = _linkify()
    if not links:
        parser.disable(["link", "reference"])
    return parser


@cache
def _linkify():
    """linkify-it's rules (http, https, mailto, and bare addresses such as
    www.example.org), less the schemes the sanitizer would strip anyway."""
    linkify = MarkdownIt("js-default", {"linkify": True}).linkify
    for scheme in ("ftp:", "//"):
        linkify.add(scheme, None)
    return linkify


@cache
def _chat_parser() -> MarkdownIt:
    """Chat is plain text: nothing but linkify, so what is typed shows as typed."""
    parser = MarkdownIt("zero", {"linkify": True}).enable("linkify")
    parser.normalizeLinkText = _as_typed
    parser.linkify = _linkify()
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
    return _sanitized(html, ALLOWED_TAGS)


# A link whose address the sanitizer refused (another scheme, or one a browser can't
# parse, such as http://[::1) keeps only its rel: it is shown as its text instead.
# Links never nest, so the first </a> is its own.
HREFLESS_LINK = re.compile(rf'<a rel="{re.escape(LINK_REL)}">(.*?)</a>', re.DOTALL)


def _sanitized(html: str, tags: set[str]) -> SafeString:
    clean = nh3.clean(
        html,
        tags=tags,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(HREFLESS_LINK.sub(r"\1", clean))  # noqa: S308 - sanitized by nh3 just above


def stored_or_rendered(*, body: str, html: str, version: int) -> SafeString:
    """Stored HTML while the current sanitizer made it; otherwise rendered again from
    the Markdown the member wrote (an old rendering never reaches a page)."""
    if version == SANITIZER_VERSION and html:
        return mark_safe(html)  # noqa: S308 - stored output of render_markdown
    return render_markdown(body)


def render_chat_text(text: str) -> SafeString:
    """A chat message as HTML: its text escaped, with web addresses made into links
    exactly as in posts. The page and the socket's frames both carry this."""
    return _sanitized(_chat_parser().renderInline(text or ""), {"a"})
