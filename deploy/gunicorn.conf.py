"""gunicorn serving the pages (peersupport.wsgi) behind nginx; the Procfile's web line
reads it. nginx buffers slow clients, so a sync worker is busy only while Django works
on a request, and each worker holds one database connection (CONN_MAX_AGE)."""

import os

workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "sync"
# Django is imported once, before the workers fork; nothing connects at import.
preload_app = True
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 10
# nginx keeps the access log; gunicorn logs errors and worker restarts.
accesslog = None
errorlog = "-"
# gunicorn's control socket (gunicornc) lives beside the web socket, not in $HOME,
# where every gunicorn on the machine would share one path.
control_socket = os.path.join(os.environ["RUN_DIR"], "web.ctl")
