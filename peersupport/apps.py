from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished
from django.db import connections


class AdminConfig(DjangoAdminConfig):
    default_site = "peersupport.admin_site.AdminSite"


def close_connections_of_an_asgi_request(sender, **kwargs):
    """Under ASGI each request runs in a thread of its own that ends with it: a
    connection kept for CONN_MAX_AGE there is never used again, yet stays open until
    the garbage collector finds it, and enough of them exhaust PostgreSQL. Persistent
    connections pay off only in threads that live on (gunicorn's, the socket pool)."""
    if isinstance(sender, type) and issubclass(sender, ASGIHandler):
        connections.close_all()


class PeersupportConfig(AppConfig):
    """The project itself: its demo data command lives here."""

    name = "peersupport"
    verbose_name = "peersupport"

    def ready(self):
        request_finished.connect(close_connections_of_an_asgi_request,
                                 dispatch_uid="close_connections_of_an_asgi_request")  # fmt: skip
