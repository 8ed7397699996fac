"""Websocket routes of every app, gathered in one table."""

from chat.routing import websocket_urlpatterns as chat_routes
from moderation.routing import websocket_urlpatterns as moderation_routes

websocket_urlpatterns = [*moderation_routes, *chat_routes]
