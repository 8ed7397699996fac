"""Cached fragments (groups/fragments.py): keyed by all they show, so never stale."""

import datetime
import zoneinfo

import pytest
from django.core.cache import caches
from django.utils import timezone, translation

from accounts.services import user_update_profile
from forum.forms import PostForm
from forum.services import posts as post_services
from forum.services import reactions as reaction_services
from groups.fragments import CACHE_ALIAS, render_each
from tests.factories import Community, signed_in

ROW = "forum/list.html#row"


def row(**changes) -> dict:
    values = {
        "slug": "quiet-harbour", "pk": 7, "title": "Evenings", "pinned": False,
        "locked": False, "published": True, "author": "Calm Heron", "post_count": 3,
        "last_activity": datetime.datetime(2026, 12, 1, 18, 30, tzinfo=datetime.UTC),
        "unread": "",
    }  # fmt: skip
    return {**values, **changes}


@pytest.fixture(autouse=True)
def empty_cache():
    caches[CACHE_ALIAS].clear()
    yield
    caches[CACHE_ALIAS].clear()


def cached_entries() -> dict:
    return dict(caches[CACHE_ALIAS]._cache)


def test_the_same_values_are_rendered_once_and_then_come_from_the_cache():
    first = render_each(ROW, [1], lambda _: row())
    assert "Evenings" in first[0] and "Calm Heron" in first[0]
    assert len(cached_entries()) == 1
    key = next(iter(caches[CACHE_ALIAS]._cache)).split(":", 2)[-1]
    caches[CACHE_ALIAS].set(key, "<li>from the cache</li>")

    assert render_each(ROW, [1], lambda _: row()) == ["<li>from the cache</li>"]


def test_any_value_that_changes_gives_a_fresh_fragment():
    render_each(ROW, [1], lambda _: row())
    renamed = render_each(ROW, [1], lambda _: row(author="Brave Otter"))[0]
    marked = render_each(ROW, [1], lambda _: row(unread="new-posts"))[0]
    assert "Brave Otter" in renamed and "Calm Heron" not in renamed
    assert "New posts" in marked
    assert len(cached_entries()) == 3


def test_the_time_zone_and_language_are_part_of_the_key():
    utc = render_each(ROW, [1], lambda _: row())[0]
    with timezone.override(zoneinfo.ZoneInfo("Pacific/Auckland")):
        auckland = render_each(ROW, [1], lambda _: row())[0]
    with translation.override("en-gb"):
        render_each(ROW, [1], lambda _: row())
    assert "1 Dec, 18:30" in utc
    assert "2 Dec, 07:30" in auckland
    assert len(cached_entries()) == 3


def test_fragments_are_safe_strings_that_escape_what_members_wrote():
    html = render_each(ROW, [1], lambda _: row(title="<script>alert(1)</script>"))[0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    again = render_each(ROW, [1], lambda _: row(title="<script>alert(1)</script>"))[0]
    assert hasattr(again, "__html__")  # still safe after the cache: not escaped twice


@pytest.mark.django_db
def test_a_thread_page_shows_every_change_at_once_although_its_posts_are_cached():
    world = Community()
    thread = world.start(world.member, body="Day one again.")
    post = thread.posts.get()
    reader = signed_in(world.other)
    assert "Day one again." in reader.get(world.thread_url(thread)).text

    post_services.post_edit(acting_user=world.member, post=post, body="Day two, still here.")
    reaction_services.reaction_toggle(acting_user=world.leader, post=post, kind="strength")
    user_update_profile(
        acting_user=world.member, user=world.member, display_name="Renamed Wren",
        about="", time_zone="UTC", country="",
    )  # fmt: skip
    page = reader.get(world.thread_url(thread)).text

    assert "Day two, still here." in page and "Day one again." not in page
    assert "Renamed Wren" in page
    assert '<span class="reaction__count">1</span>' in page
    listing = reader.get(world.threads_url()).text
    assert "Renamed Wren" in listing


@pytest.mark.django_db
def test_a_blank_form_is_rendered_once_but_a_bound_form_shows_what_was_typed():
    blank = str(PostForm())
    assert str(PostForm()) == blank
    bound = str(PostForm({"body": "", "content_warning": "other"}))
    assert bound != blank
    assert "field-error" in bound and "field-error" not in blank
