"""Threads and posts in admin, to look things up: read-only, because every change to
them (hiding, approving, locking) is a leader's decision made through the queue and
the thread pages, where it is logged."""

from django.contrib import admin

from forum.models import Post, Thread
from groups.admin import ReadOnlyAdmin


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["title", "group", "author", "published_post_count", "last_activity_at",
                    "is_published", "pinned_at", "locked_at"]  # fmt: skip
    list_filter = ["group", "is_published"]
    search_fields = ["title"]
    list_select_related = ["group", "author"]
    date_hierarchy = "created_at"


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "author", "state", "created_at", "edited_at"]
    list_filter = ["state", "thread__group"]
    list_select_related = ["thread", "author"]
    raw_id_fields = ["thread"]
    date_hierarchy = "created_at"
