from django.urls import path

from groups import consumers

websocket_urlpatterns = [
    path("ws/moderation/", consumers.ModerationQueueConsumer.as_asgi()),
]
