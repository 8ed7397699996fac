"""Websocket routes of every app, gathered in one table."""

websocket_urlpatterns: list = []
