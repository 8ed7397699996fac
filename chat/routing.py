from django.urls import path

from chat.consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/groups/<slug:slug>/chat/", ChatConsumer.as_asgi(), {"kind": "members"}),
    path("ws/groups/<slug:slug>/chat/leaders/", ChatConsumer.as_asgi(), {"kind": "leaders"}),
]
