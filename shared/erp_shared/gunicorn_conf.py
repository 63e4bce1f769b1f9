"""gunicorn settings for every HTTP app: `gunicorn -c python:erp_shared.gunicorn_conf`.

Threaded workers, because a request mostly waits on the database or, at the gateway, on a
service. The app is built in each worker after the fork (no preload), so no connection is
ever shared between processes.
"""

import os

from prometheus_client import multiprocess

from erp_shared.config import ServerSettings, metrics_dir

_server = ServerSettings.from_env()
workers = _server.workers
worker_class = "gthread"
# A thread per feed slot on top of the request threads: however many live feeds are open
# (each holds its thread while it lasts, erp_shared.live_feeds), the request threads are left.
threads = _server.threads + _server.live_feeds
timeout = 30
# Worker heartbeat files on tmpfs: on a container's disk-backed /tmp a slow write can make the
# arbiter kill a healthy worker. gunicorn makes them with mkstemp, so the shared folder is safe.
SHARED_MEMORY = "/dev/shm"  # nosec B108
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
# A stopping worker lets its requests finish: as long as the longest a gateway waits on a
# service (GATEWAY_UPSTREAM_TIMEOUT, 30 s), so a rollout cuts none short.
graceful_timeout = 30
# The longest request line gunicorn takes (its default is 4094): a query of several long,
# percent-encoded values must reach the app, which answers what is wrong with it as
# problem+json, not meet gunicorn's HTML 414.
limit_request_line = 8190
keepalive = 5
# The app logs each request itself (erp_shared.web, ERP_ACCESS_LOG), in the service's log
# format and for a fraction of what gunicorn's access line costs.
accesslog = None
# gunicorn's own lines (listening, workers booted and stopped, signals) as JSON on stdout, like
# the app's (erp_shared.context), so a container's log is one stream of JSON objects.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # The keys of every app line (erp_shared.context), outside any request here.
            "static_fields": {
                "service": _server.app or "gunicorn",
                "request_id": "-",
                "causation_id": None,
            },
            "timestamp": False,
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False}},
}

# gunicorn's control socket defaults to one path per user: every master on the machine would
# fight over it. Nothing here uses it.
control_socket_disable = True
# A command line's --bind and app (erpctl's) win over these, which the image sets.
if _server.app:
    wsgi_app = f"{_server.app}.app:create_app()"
if _server.port:
    bind = [f"0.0.0.0:{_server.port}"]


def child_exit(server, worker):
    if metrics_dir():
        multiprocess.mark_process_dead(worker.pid)
