"""The second process of every service: consumes its queue, relays its outbox and does its
chores (periodic use cases such as expiring stock holds).

Each loop runs in its own thread with its own broker connection. A small HTTP endpoint gives
the worker's metrics and readiness (ready once its queue is declared and consumed); the same
port number hears the app's nudges (UDP, erp_shared.nudge) to relay what it just committed.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy.engine import Engine

from erp_shared import idempotency, messaging, metrics, nudge
from erp_shared.bus import EVENT_SCOPE, Consumer, Handler, OutboxRelay
from erp_shared.config import Settings
from erp_shared.context import configure_logging
from erp_shared.db import make_engine
from erp_shared.production import refuse_unsafe_start
from erp_shared.uow import UnitOfWork

log = logging.getLogger(__name__)
REQUEST_KEYS_KEPT = timedelta(hours=24)
EVENT_KEYS_KEPT = timedelta(days=7)
# How long a worker asked to stop gives its threads to finish, all together: inside the 25 s
# grace period compose and Kubernetes give it before SIGKILL.
SHUTDOWN_SECONDS = 20.0


def status_server(port: int, consumer: Consumer) -> ThreadingHTTPServer:
    """The metrics and readiness endpoint of a process that consumes the bus."""

    class StatusHandler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/metrics":
                body, content_type = metrics.exposition()
                status = 200
            elif self.path in ("/health/live", "/health/ready"):
                ok = self.path == "/health/live" or consumer.ready.is_set()
                status, content_type = (200 if ok else 503), "application/json"
                body = b'{"status": "ok"}' if ok else b'{"status": "unavailable"}'
            else:
                status, content_type, body = 404, "text/plain", b"not found"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    # All interfaces: in a container the orchestrator's probes and Prometheus come from outside.
    server = ThreadingHTTPServer(("0.0.0.0", port), StatusHandler)  # nosec B104
    threading.Thread(target=server.serve_forever, name="status", daemon=True).start()
    return server


@dataclass(frozen=True)
class Chore:
    """A use case the worker runs every `every` seconds in its own unit of work. Several
    workers may run it at once, so it must be safe to (rows locked, conditions checked)."""

    name: str
    every: float
    run: Callable[[UnitOfWork, Settings], object]

    def loop(self, engine: Engine, settings: Settings, stop: threading.Event) -> None:
        while not stop.wait(self.every):
            try:
                with UnitOfWork(engine, settings.service, actor=f"chore:{self.name}") as uow:
                    self.run(uow, settings)
            except Exception:
                log.exception("chore %s failed; trying again in %.0fs", self.name, self.every)


@dataclass(frozen=True)
class Job(Chore):
    """A chore that works in steps others should see as they commit (a long job's progress):
    it gets the engine and opens a unit of work per step."""

    run: Callable[[Engine, Settings], object]

    def loop(self, engine: Engine, settings: Settings, stop: threading.Event) -> None:
        while not stop.wait(self.every):
            try:
                self.run(engine, settings)
            except Exception:
                log.exception("job %s failed; trying again in %.0fs", self.name, self.every)


def forget_old_keys(uow: UnitOfWork, settings: Settings) -> None:
    """A client's Idempotency-Key is honoured for 24 hours; a consumed event's id is kept a
    week, far longer than the broker ever redelivers. Import references are kept for good."""
    idempotency.forget(uow.conn, "POST ", uow.now - REQUEST_KEYS_KEPT)
    idempotency.forget(uow.conn, EVENT_SCOPE, uow.now - EVENT_KEYS_KEPT)


FORGET_OLD_KEYS = Chore("forget old keys", 3600.0, forget_old_keys)


def measure_outbox(uow: UnitOfWork, settings: Settings) -> None:
    """The backlog gauges, as often as Prometheus scrapes: an outbox that grows or ages means
    the broker or the relay is stuck (deploy/prometheus alerts on it)."""
    waiting, oldest = messaging.backlog(uow.conn)
    age = (uow.now - oldest).total_seconds() if oldest is not None else 0.0
    metrics.OUTBOX_BACKLOG.labels(settings.service).set(waiting)
    metrics.OUTBOX_AGE.labels(settings.service).set(max(age, 0.0))


MEASURE_OUTBOX = Chore("measure outbox", 15.0, measure_outbox)


def run_worker(
    settings: Settings, handlers: dict[str, Handler], chores: tuple[Chore, ...] = ()
) -> None:
    """Run a service's worker with the settings its own settings_from_env read."""
    service = settings.service
    refuse_unsafe_start(settings)
    configure_logging(f"{service}-worker", settings.log_level, settings.log_format)
    engine = make_engine(settings.serving_database_url)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    relay = OutboxRelay(engine, settings)
    consumer = Consumer(engine, settings, handlers, applied=relay.nudge)
    port = settings.worker_port
    server = status_server(port, consumer) if port else None
    if port:
        nudge.listen(port, relay.nudge, stop)
    threads = [
        threading.Thread(target=consumer.run, args=(stop,), name="consumer"),
        threading.Thread(target=relay.run, args=(stop,), name="relay"),
        *(
            threading.Thread(target=chore.loop, args=(engine, settings, stop), name=chore.name)
            for chore in (FORGET_OLD_KEYS, MEASURE_OUTBOX, *chores)
        ),
    ]
    log.info("worker for %s consuming %s", service, settings.queue)
    run_until_stopped(threads, stop, server, engine)


def run_until_stopped(
    threads: list[threading.Thread],
    stop: threading.Event,
    server: ThreadingHTTPServer | None,
    engine: Engine,
) -> None:
    """Run a worker's loops until it is asked to stop, then give them one deadline for all,
    inside the orchestrator's grace period (25 s in compose and Kubernetes): each thread's
    own timeout, one after another, could outlast it."""
    for thread in threads:
        thread.start()
    stop.wait()
    deadline = time.monotonic() + SHUTDOWN_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    if server is not None:
        server.shutdown()
    engine.dispose()
