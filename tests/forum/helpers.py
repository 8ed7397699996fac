"""Small readers for page HTML, shared by the thread, chat and Markdown tests. (The
people, groups and communities they read about are built in tests/factories.py.)"""

import re
from html.parser import HTMLParser


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each textarea by name."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.textareas: dict[str, str] = {}
        self._textarea: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "textarea":
            self._textarea = attributes.get("name") or ""
            self.textareas[self._textarea] = ""

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.textareas[self._textarea] += data

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.tags if name == tag]

    def input_value(self, name: str) -> str | None:
        for attributes in self.named("input"):
            if attributes.get("name") == name:
                return attributes.get("value")
        return None


def draft_body(html: str) -> str:
    """The message box's text as the browser would show it (one leading newline is
    dropped by HTML itself)."""
    text = Elements(html).textareas["body"]
    return text.removeprefix("\r\n").removeprefix("\n")


def post_bodies(html: str) -> list[str]:
    """The inner HTML of each post body on a thread page. Sanitized bodies cannot
    contain a <div>, so the first </div> ends each one."""
    return re.findall(r'<div class="prose">(.*?)</div>', html, flags=re.DOTALL)
