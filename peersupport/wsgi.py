"""Pages through a WSGI server (gunicorn) in production; only /ws/ needs ASGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings.production")
application = get_wsgi_application()
