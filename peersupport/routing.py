"""Websocket routes of every app, gathered in one table."""

from groups.routing import websocket_urlpatterns as group_routes

websocket_urlpatterns = [*group_routes]
