"""What the current request or event is part of, for logs and for the events it causes.

A context variable rather than an argument threaded through every call: gunicorn threads and
the worker's consumer each see their own value.
"""

from __future__ import annotations

import atexit
import logging
import queue
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from logging.handlers import QueueHandler, QueueListener

from pythonjsonlogger.json import JsonFormatter

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


@contextmanager
def caused_by(correlation: str | None, causation: str | None = None):
    tokens = correlation_id.set(correlation), causation_id.set(causation)
    try:
        yield
    finally:
        correlation_id.reset(tokens[0])
        causation_id.reset(tokens[1])


class CorrelationFilter(logging.Filter):
    """Puts the request id on every log record, so one request can be followed across services,
    and the event being handled, if any (its causation)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get() or "-"
        record.causation_id = causation_id.get()
        return True


_listener: QueueListener | None = None


@atexit.register
def stop_logging() -> None:
    """Write out what is still queued and stop the writing thread."""
    global _listener
    if _listener is not None:
        _listener.stop()
        _listener = None


def configure_logging(service: str, level: str = "INFO", log_format: str = "json") -> None:
    """One JSON object per line (time, level, service, logger, message, request_id and
    causation_id) for a log collector to index, or a line of text for a person to read; on
    stdout, where a container's logs are collected from.

    Request threads only put records on a queue (the request id read in their own context);
    one thread formats and writes them. With the handler written to from every thread, its
    lock became the queue every request of a busy gateway waited in.
    """
    global _listener
    stop_logging()
    handler = logging.StreamHandler(sys.stdout)
    if log_format == "json":
        formatter = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(causation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={"service": service},
            timestamp=False,
        )
    else:
        formatter = logging.Formatter(
            f"%(asctime)s %(levelname)s {service} [%(request_id)s] %(name)s: %(message)s"
        )
    handler.setFormatter(formatter)
    queued = QueueHandler(queue.SimpleQueue())
    queued.addFilter(CorrelationFilter())
    _listener = QueueListener(queued.queue, handler)
    _listener.start()
    root = logging.getLogger()
    root.handlers[:] = [queued]
    root.setLevel(level)
    # pika narrates every connection at INFO and logs a lost broker with a traceback per
    # attempt; its failures reach erp_shared.bus as exceptions, logged there once with what
    # is done about them. Its returned-message warning would also quote the event's body (a
    # customer's name and e-mail perhaps).
    logging.getLogger("pika").setLevel(logging.CRITICAL)
