"""What costs the server: Markdown that would take seconds to render is bounded, and
edits (each renders again) are limited like replies."""

import pytest
from django.test import Client

from forum.services import posts as post_services
from groups import limits
from groups.markdown import MAX_LINK_OPENERS, render_markdown
from tests.factories import Community

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", ["[" * 20_000, "![" * 10_000, "[](x) " * 3_000])
def test_past_the_bound_brackets_are_shown_as_typed_without_looking_for_links(body):
    # Link parsing is what made 20,000 brackets cost 3.4 s of CPU (0.05 s without it).
    html = render_markdown(body)
    assert "<a " not in html
    assert html.startswith("<p>[") or html.startswith("<p>![")


def test_ordinary_links_still_work_up_to_the_bound():
    html = render_markdown("[a](https://example.org) " * MAX_LINK_OPENERS)
    assert html.count('<a href="https://example.org"') == MAX_LINK_OPENERS


def test_edits_are_limited_like_replies_and_the_draft_is_kept():
    place = Community()
    thread = place.start(place.member, title="Edits", body="First words.")
    post = thread.posts.get()
    for number in range(limits.POST_EDIT.burst):
        post_services.post_edit(acting_user=place.member, post=post, body=f"Version {number}.")
    with pytest.raises(limits.RateLimited):
        post_services.post_edit(acting_user=place.member, post=post, body="One too many.")

    client = Client()
    client.force_login(place.member)
    response = client.post(place.url("forum:post_edit", post.pk), {"body": "My careful draft."})
    assert response.status_code == 200
    assert "editing very quickly" in response.text
    assert "My careful draft." in response.text
    post.refresh_from_db()
    assert post.body == f"Version {limits.POST_EDIT.burst - 1}."
