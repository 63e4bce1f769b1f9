"""What the current request or event is part of, for logs and for the events it causes.

A context variable rather than an argument threaded through every call: gunicorn threads and
the worker's consumer each see their own value.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar

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
    """Puts the request id on every log record, so one request can be followed across services."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get() or "-"
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(CorrelationFilter())
    handler.setFormatter(
        logging.Formatter(
            f"%(asctime)s %(levelname)s {service} [%(request_id)s] %(name)s: %(message)s"
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # pika narrates every connection at INFO and logs a lost broker with a traceback per
    # attempt; its failures reach erp_shared.bus as exceptions, logged there once with what
    # is done about them. Its returned-message warning would also quote the event's body (a
    # customer's name and e-mail perhaps).
    logging.getLogger("pika").setLevel(logging.CRITICAL)
