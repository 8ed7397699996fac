"""Member-written Markdown can never become script: an XSS corpus through the whole
pipeline (service, stored rendering, thread page), a property test of the renderer,
and the stored rendering being redone when the sanitizer changes."""

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.models import Post
from forum.services import posts as post_services
from groups import markdown
from groups.markdown import SANITIZER_VERSION, render_chat_text, render_markdown
from tests.factories import signed_in
from tests.forum.helpers import Elements, post_bodies

# What a post body may contain, written out here rather than read from the module
# under test, so loosening the module's allow-list fails this file.
SAFE_TAGS = {
    "p", "br", "em", "strong", "del", "s", "ul", "ol", "li", "blockquote", "code", "pre",
    "a", "hr", "h3", "h4", "h5", "h6",
}  # fmt: skip
SAFE_ATTRIBUTES = {"href", "rel", "start"}
SAFE_SCHEMES = {"http", "https", "mailto"}
REL = "nofollow ugc noopener noreferrer"
DANGEROUS_TAGS = {
    "script", "style", "iframe", "img", "svg", "math", "object", "embed", "noscript", "form",
    "input", "frame", "frameset", "base", "link", "meta",
}  # fmt: skip

CORPUS = {
    "script tag": "<script>alert(1)</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "svg onload": "<svg onload=alert(1)>",
    "javascript link": "[x](javascript:alert(1))",
    "mixed-case javascript link": "[x](JaVaScRiPt:alert(1))",
    "entity-encoded javascript link": "[x](jav&#x61;script:alert(1))",
    "tab inside javascript link": "[x](java\tscript:alert(1))",
    "data link": "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "vbscript link": "[x](vbscript:msgbox(1))",
    "noscript breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "unclosed tags": "<b><i>bold and italic",
    "raw javascript anchor": '<a href="javascript:alert(1)">x</a>',
    "iframe": "<iframe src=//evil>",
    "markdown image": "![img](http://evil/x.png)",
    "autolink javascript": "<javascript:alert(1)>",
    "reference link": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "style tag": "<style>body{display:none}</style>",
    "html comment": "<!-- <script>alert(1)</script> -->",
    "code span": "`<script>alert(1)</script>`",
    "details ontoggle": "<details open ontoggle=alert(1)>",
    "quoted attribute breakout": '[x](http://ok" onmouseover="alert(1))',
    "bare address breakout": 'https://ok.example/" onmouseover="alert(1)',
    "bare address with markup": "https://ok.example/<script>alert(1)</script>",
    "bare javascript": "javascript:alert(1) and www.ok.example/javascript:alert(1)",
}


def scheme_of(url: str) -> str | None:
    """The scheme a browser would see: it ignores tabs and newlines anywhere and
    leading spaces and control characters."""
    url = re.sub(r"[\t\n\r]", "", url).lstrip("".join(chr(n) for n in range(0x21)))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    return match.group(1).lower() if match else None


def assert_safe_body(fragment: str, *, relative_links_allowed: bool) -> None:
    assert not re.search(r"<\s*/?\s*(script|style|iframe|img|svg)\b", fragment, re.IGNORECASE)
    for tag, attributes in Elements(fragment).tags:
        assert tag in SAFE_TAGS, (tag, fragment)
        assert tag not in DANGEROUS_TAGS
        for name in attributes:
            assert not name.startswith("on"), (name, fragment)
            assert name in SAFE_ATTRIBUTES, (name, fragment)
        if tag == "a":
            assert attributes.get("rel") == REL, fragment
            href = attributes.get("href")
            if href is not None:
                scheme = scheme_of(href)
                if scheme is None:
                    assert relative_links_allowed, (href, fragment)
                else:
                    assert scheme in SAFE_SCHEMES, (href, fragment)


def assert_safe_page(page: str) -> None:
    """Outside the post bodies too: only the site's own scripts (and the crisis phrase
    list as inert JSON data), and no handlers."""
    scripts = []
    for tag, attributes in Elements(page).tags:
        assert tag not in {"iframe", "img", "svg", "object", "embed"}, tag
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        if tag == "script" and attributes.get("type") == "application/json":
            assert attributes.get("id") == "crisis-phrases", attributes
        elif tag == "script":
            scripts.append(attributes.get("src"))
        for name in ("href", "src", "action", "formaction"):
            if attributes.get(name):
                assert scheme_of(attributes[name]) in {None, *SAFE_SCHEMES}, attributes
    assert scripts
    assert all(src and src.startswith("/static/js/") for src in scripts), scripts


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_an_attack_in_a_post_is_harmless_on_the_thread_page(world, case):
    thread = world.start(world.member, title="Testing links", body="An ordinary first post.")
    post = world.reply(thread, world.member, CORPUS[case])
    assert post.rendered_version == SANITIZER_VERSION

    page = signed_in(world.other).get(world.thread_url(thread)).content.decode()

    bodies = post_bodies(page)
    assert len(bodies) == 2
    assert_safe_body(bodies[1], relative_links_allowed=False)
    assert_safe_page(page)
    assert "alert(1)" not in " ".join(
        " ".join(value or "" for value in attributes.values())
        for _tag, attributes in Elements(page).tags
    )


def test_links_keep_their_text_and_get_the_safe_rel(world):
    body = "[a guide](https://example.org/guide) and [write to us](mailto:help@example.org)"
    # A leader: from members, an email address is held for review as possible contact details.
    thread = world.start(world.leader, body=body)
    page = signed_in(world.other).get(world.thread_url(thread)).content.decode()
    links = Elements(post_bodies(page)[0]).named("a")
    assert [link["href"] for link in links] == [
        "https://example.org/guide", "mailto:help@example.org",
    ]  # fmt: skip
    assert all(link["rel"] == REL for link in links)


def test_an_attack_in_a_thread_title_is_shown_as_text(world):
    title = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    thread = world.start(world.member, title=title, body="Hello.")
    for url in (world.thread_url(thread), world.threads_url()):
        page = signed_in(world.other).get(url).content.decode()
        assert_safe_page(page)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_attack_in_a_content_warning_note_is_shown_as_text(world):
    thread = world.start(world.member, body="Hard day.", content_warning="other",
                         content_warning_note='"><img src=x onerror=alert(1)>')  # fmt: skip
    page = signed_in(world.other).get(world.thread_url(thread)).content.decode()
    assert_safe_page(page)


# The renderer itself, on anything at all

FRAGMENTS = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>",
    "<iframe src=//evil>", "<style>", "<math><mi xlink:href=javascript:alert(1)>", "<a href=",
    '"', "'", ">", "<", "</", "[", "]", "(", ")", "](", "![", "javascript:", "JaVaScRiPt:",
    "jav&#x61;script:", "&#106;avascript:", "java\tscript:", "data:text/html,", "vbscript:",
    "http://", "https://example.org/", "mailto:a@example.org", "//evil", "\\", "&", "&amp;",
    "&lt;", "&#60;", "`", "```", "\n", "\n\n", "    ", "> ", "* ", "1. ", "# ", "## ", "---",
    "<!--", "-->", "<![CDATA[", "]]>", "onerror=", "onload=", " onmouseover=alert(1) ",
    "<noscript>", "</noscript>", "<p title=\"", "<details open ontoggle=alert(1)>", "<b>",
    "<i>", "<a href=\"javascript:alert(1)\">", "</a>", "[x]: javascript:alert(1)", "\x00",
    "\u202e", "<textarea>", "<object data=x>", "<embed src=x>", "<base href=//evil>",
    "<form action=javascript:alert(1)>", "<input autofocus onfocus=alert(1)>",
]  # fmt: skip

fragment = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8))
markdownish = st.lists(fragment, max_size=40).map("".join)

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(st.text())
def test_rendering_any_text_gives_only_safe_html(text):
    assert_safe_body(str(render_markdown(text)), relative_links_allowed=True)


@PROPERTY_SETTINGS
@given(markdownish)
def test_rendering_markdown_and_html_fragments_gives_only_safe_html(text):
    assert_safe_body(str(render_markdown(text)), relative_links_allowed=True)


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_each_attack_rendered_alone_gives_only_safe_html(case):
    assert_safe_body(str(render_markdown(CORPUS[case])), relative_links_allowed=False)


# The stored rendering, and redoing it when the sanitizer changes


def test_a_new_post_stores_its_rendering_made_by_the_current_sanitizer(world):
    thread = world.start(world.member, body="**Strong** words.")
    post = thread.posts.get()
    assert post.rendered_version == SANITIZER_VERSION
    assert post.rendered_html == str(render_markdown("**Strong** words."))

    post_services.post_edit(acting_user=world.member, post=post, body="*Gentler* words.")
    edited = Post.objects.get(pk=post.pk)
    assert edited.rendered_html.strip() == "<p><em>Gentler</em> words.</p>"
    assert edited.rendered_version == SANITIZER_VERSION


def test_the_page_uses_the_stored_rendering_while_it_is_current(world):
    thread = world.start(world.member, body="**Fresh** words.")
    Post.objects.filter(thread=thread).update(rendered_html="<p>STORED-COPY-7f3a</p>")

    page = signed_in(world.other).get(world.thread_url(thread)).text

    assert "STORED-COPY-7f3a" in page
    assert "<strong>Fresh</strong>" not in page


def test_an_older_rendering_is_redone_from_the_body(world):
    thread = world.start(world.member, body="**Fresh** words.")
    Post.objects.filter(thread=thread).update(
        rendered_version=0, rendered_html='<p>STALE-COPY-7f3a</p><img src=x onerror="alert(1)">'
    )

    page = signed_in(world.other).get(world.thread_url(thread)).content.decode()

    assert "<p><strong>Fresh</strong> words.</p>" in page
    assert "STALE-COPY-7f3a" not in page
    assert_safe_page(page)


def test_bumping_the_sanitizer_version_redoes_stored_renderings(world, monkeypatch):
    thread = world.start(world.member, body="**Fresh** words.")
    Post.objects.filter(thread=thread).update(rendered_html="<p>STORED-COPY-7f3a</p>")
    monkeypatch.setattr(markdown, "SANITIZER_VERSION", SANITIZER_VERSION + 1)

    page = signed_in(world.other).get(world.thread_url(thread)).text

    assert "<p><strong>Fresh</strong> words.</p>" in page
    assert "STORED-COPY-7f3a" not in page


# Chat text: escaped, its web addresses made links by the same rules as posts


def assert_safe_chat(fragment: str) -> None:
    for tag, attributes in Elements(fragment).tags:
        assert tag == "a", (tag, fragment)
        assert set(attributes) <= {"href", "rel"}, (attributes, fragment)
        assert attributes.get("rel") == REL, fragment
        assert scheme_of(attributes.get("href", "")) in SAFE_SCHEMES, (attributes, fragment)


def text_shown(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@PROPERTY_SETTINGS
@given(markdownish)
def test_chat_text_of_any_fragments_is_only_links_and_reads_as_typed(text):
    shown = str(render_chat_text(text))
    assert_safe_chat(shown)
    typed = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    assert text_shown(shown) == typed


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_each_attack_in_chat_text_is_harmless_and_shown_as_typed(case):
    shown = str(render_chat_text(CORPUS[case]))
    assert_safe_chat(shown)
    assert text_shown(shown) == CORPUS[case]
