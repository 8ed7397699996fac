"""Pages through a WSGI server (gunicorn) in production; only /ws/ needs ASGI. Like
asgi.py and manage.py it defaults to the local settings; production sets
DJANGO_SETTINGS_MODULE itself."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings.local")
application = get_wsgi_application()
