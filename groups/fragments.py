"""Rendered fragments (a thread row, a post, a group card), cached by what they show.

A fragment is a template partial rendered from a small dict of plain values. The
cache key is a hash of that dict together with the template, the language and the
time zone, so a fragment can never be stale: whatever changes what it shows changes
its key, and an old entry is simply never asked for again (the cache drops it when
full). No invalidation, no signals. The price is that everything a fragment shows
must be in its dict, which the partial enforces: it renders from the dict alone.

Fragments hold no per-request secrets: no CSRF token (a page has one form that the
fragments' buttons name with `form=`), no messages. The cache is each process's own
memory (`CACHES["fragments"]`), which is right for entries that never go stale, and
it keeps SafeStrings as SafeStrings.
"""

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import caches
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString

CACHE_ALIAS = "fragments"


def _key(template_name: str, values: dict[str, Any]) -> str:
    text = repr(
        (
            template_name,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            sorted(values.items()),
        )
    )
    return "fragment:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def render_each(
    template_name: str, items: Iterable[Any], values_of: Callable[[Any], dict[str, Any]]
) -> list[SafeString]:
    """Each item's fragment: `values_of(item)` gives the dict the partial
    `template_name` (for example "forum/list.html#row") renders; cached by it."""
    cache = caches[CACHE_ALIAS]
    all_values = [values_of(item) for item in items]
    keys = [_key(template_name, values) for values in all_values]
    found = cache.get_many(keys)
    missing: dict[str, SafeString] = {}
    template = None
    fragments = []
    for key, values in zip(keys, all_values, strict=True):
        html = found.get(key)
        if html is None:
            template = template or get_template(template_name)
            html = missing[key] = template.render(values)
        fragments.append(html)  # a SafeString, rendered or unpickled
    if missing:
        cache.set_many(missing)
    return fragments


class RenderedOnceWhenBlank:
    """A form mixin: an unbound form without initial values renders the same for
    everyone, so it is rendered once per process and language and then reused (a reply
    form's fields cost more than the rest of a thread page). Bound forms, with their
    values and errors, render as usual."""

    def render(self, template_name=None, context=None, renderer=None):
        if self.is_bound or self.initial or self.prefix or template_name or context:
            return super().render(template_name, context, renderer)
        cache = caches[CACHE_ALIAS]
        key = _key(f"blank-form:{type(self).__module__}.{type(self).__qualname__}", {})
        html = cache.get(key)
        if html is None:
            html = super().render(template_name, context, renderer)
            cache.set(key, html)
        return html

    __str__ = render
    __html__ = render
