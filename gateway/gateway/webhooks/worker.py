"""The gateway's webhook worker: `python -m gateway.webhooks.worker`.

Two loops, each in its own thread: the bus consumer (the shared one, on the gateway's own
queue bound to every event type) that owes each event to its subscribers, and the
dispatcher that sends what is owed; and two chores, forgetting old idempotency keys and old
delivered events. The gateway publishes nothing, so unlike a service's worker it has no
outbox relay. WORKER_PORT, when set, serves its metrics and readiness.
"""

from __future__ import annotations

import logging
import signal
import threading

from erp_shared.bus import Consumer
from erp_shared.context import configure_logging
from erp_shared.db import make_engine
from erp_shared.production import refuse_unsafe_start
from erp_shared.worker import FORGET_OLD_KEYS, Chore, run_until_stopped, status_server
from gateway.settings import GatewaySettings, settings_from_env
from gateway.webhooks.dispatcher import Dispatcher
from gateway.webhooks.handlers import HANDLERS
from gateway.webhooks.service import forget_old_deliveries

log = logging.getLogger(__name__)
FORGET_OLD_DELIVERIES = Chore("forget old webhook deliveries", 3600.0, forget_old_deliveries)


def run(settings: GatewaySettings) -> None:
    refuse_unsafe_start(settings)
    configure_logging("gateway-webhooks", settings.log_level, settings.log_format)
    engine = make_engine(settings.serving_database_url)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    consumer = Consumer(engine, settings, HANDLERS)
    dispatcher = Dispatcher(engine, settings)
    server = status_server(settings.worker_port, consumer) if settings.worker_port else None
    threads = [
        threading.Thread(target=consumer.run, args=(stop,), name="consumer"),
        threading.Thread(target=dispatcher.run, args=(stop,), name="dispatcher"),
        *(
            threading.Thread(target=chore.loop, args=(engine, settings, stop), name=chore.name)
            for chore in (FORGET_OLD_KEYS, FORGET_OLD_DELIVERIES)
        ),
    ]
    log.info("webhook worker consuming %s", settings.queue)
    run_until_stopped(threads, stop, server, engine)


if __name__ == "__main__":
    run(settings_from_env(uses_broker=True))
