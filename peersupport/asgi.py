"""HTTP goes to Django (a few requests at a time, see ASGI_HTTP_CONCURRENCY); a
websocket passes the origin check, then authentication, then the routing table."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings.local")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from peersupport.routing import websocket_urlpatterns  # noqa: E402
from peersupport.websocket import (  # noqa: E402
    AnswerWhenUnavailable,
    LimitedConcurrency,
    SameOriginValidator,
)

application = ProtocolTypeRouter(
    {
        "http": LimitedConcurrency(django_asgi_app, settings.ASGI_HTTP_CONCURRENCY),
        "websocket": AnswerWhenUnavailable(
            SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
