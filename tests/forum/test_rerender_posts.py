"""manage.py rerender_posts: after a sanitizer change, stored HTML is brought up to date once."""

import pytest
from django.core.management import call_command

from forum.models import Post
from groups.markdown import SANITIZER_VERSION
from tests.factories import Community

pytestmark = pytest.mark.django_db


def test_posts_stored_by_an_older_sanitizer_are_rendered_again_and_stored():
    world = Community()
    thread = world.start(world.member, body="See https://example.org/help for **more**.")
    Post.objects.filter(thread=thread).update(
        rendered_html="<p>OLD-RENDERING</p>", rendered_version=SANITIZER_VERSION - 1
    )
    current = world.reply(thread, world.other, "Already current.")

    call_command("rerender_posts")

    post = thread.posts.get(number=1)
    assert post.rendered_version == SANITIZER_VERSION
    assert "OLD-RENDERING" not in post.rendered_html
    assert "<strong>more</strong>" in post.rendered_html
    assert 'href="https://example.org/help"' in post.rendered_html
    unchanged = Post.objects.get(pk=current.pk)
    assert unchanged.rendered_html == current.rendered_html
