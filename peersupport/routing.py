"""Websocket routes of every app, gathered in one table."""

from django.urls import path, re_path

from chat.routing import websocket_urlpatterns as chat_routes
from moderation.routing import websocket_urlpatterns as moderation_routes
from peersupport.consumers import BellConsumer
from peersupport.websocket import NoSuchSocket

websocket_urlpatterns = [
    path("ws/bell/", BellConsumer.as_asgi()),
    *moderation_routes,
    *chat_routes,
    re_path(r"", NoSuchSocket.as_asgi()),
]
