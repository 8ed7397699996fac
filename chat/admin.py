"""Chat rooms and messages in admin, to look things up: read-only, because slow mode,
pauses and deletions are leaders' decisions made on the chat page, where they are
logged and the room's sockets are told."""

from django.contrib import admin

from chat.models import ChatMessage, ChatRoom
from groups.admin import ReadOnlyAdmin


@admin.register(ChatRoom)
class ChatRoomAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "last_seq", "slow_mode_seconds", "locked_at"]
    list_filter = ["kind"]
    list_select_related = ["group"]


@admin.register(ChatMessage)
class ChatMessageAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "author", "state", "is_notice", "created_at"]
    list_filter = ["state", "is_notice"]
    list_select_related = ["room__group", "author"]
    date_hierarchy = "created_at"
