from django.urls import path

from groups import consumers

websocket_urlpatterns = [
    path("ws/moderation/", consumers.ModerationQueueConsumer.as_asgi()),
    path("ws/groups/<slug:slug>/chat/", consumers.ChatConsumer.as_asgi(), {"kind": "members"}),
    path(
        "ws/groups/<slug:slug>/chat/leaders/",
        consumers.ChatConsumer.as_asgi(),
        {"kind": "leaders"},
    ),
]
