"""RabbitMQ on pika: topology, the outbox relay and the inbox-guarded consumer.

pika connections are not thread-safe and miss heartbeats when nobody calls into them, so each
loop below owns its own connection and never blocks for long outside pika's own calls.
Both loops reconnect with capped exponential backoff while the broker is away.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable

import pika
from marshmallow import ValidationError
from pika.exceptions import AMQPError, UnroutableError
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from erp_shared import context, metrics
from erp_shared.config import Settings
from erp_shared.db import inbox, outbox, read_only, utcnow
from erp_shared.events import Event, UnknownEventType, parse_event
from erp_shared.uow import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Event], None]


def connect(settings: Settings) -> pika.BlockingConnection:
    params = pika.URLParameters(settings.amqp_url)
    params.heartbeat = 30
    params.blocked_connection_timeout = 30
    params.socket_timeout = 5
    params.connection_attempts = 1
    params.client_properties = {"connection_name": f"{settings.service}-worker"}
    return pika.BlockingConnection(params)


def declare_topology(channel, settings: Settings, event_types: Iterable[str]) -> None:
    """Idempotent: every worker declares what it needs on each (re)connect."""
    channel.exchange_declare(settings.exchange, exchange_type="topic", durable=True)
    channel.exchange_declare(settings.dead_letter_exchange, exchange_type="direct", durable=True)
    channel.queue_declare(
        settings.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
    )
    channel.queue_bind(
        settings.dead_letter_queue, settings.dead_letter_exchange, routing_key=settings.queue
    )
    channel.queue_declare(
        settings.queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": settings.delivery_limit,
            "x-dead-letter-exchange": settings.dead_letter_exchange,
            "x-dead-letter-routing-key": settings.queue,
        },
    )
    for event_type in event_types:
        channel.queue_bind(settings.queue, settings.exchange, routing_key=event_type)


def run_with_reconnect(name: str, stop: threading.Event, session: Callable[[], None]) -> None:
    delay = 0.2
    while not stop.is_set():
        started = time.monotonic()
        try:
            session()
        except (AMQPError, OSError) as exc:
            log.warning("%s lost the broker (%s); retrying in %.1fs", name, exc, delay)
        except Exception:
            log.exception("%s failed; retrying in %.1fs", name, delay)
        else:
            return
        if time.monotonic() - started > 10:
            delay = 0.2
        stop.wait(delay)
        delay = min(delay * 2, 5.0)


class OutboxRelay:
    """Publishes committed outbox rows and marks them sent only after the broker confirmed."""

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings

    def run(self, stop: threading.Event) -> None:
        run_with_reconnect("outbox relay", stop, lambda: self._session(stop))

    def _session(self, stop: threading.Event) -> None:
        connection = connect(self.settings)
        try:
            channel = connection.channel()
            channel.exchange_declare(self.settings.exchange, exchange_type="topic", durable=True)
            channel.confirm_delivery()
            while not stop.is_set():
                if self.relay_batch(channel) < self.settings.relay_batch:
                    connection.process_data_events(time_limit=self.settings.relay_idle_seconds)
        finally:
            if connection.is_open:
                connection.close()

    def relay_batch(self, channel) -> int:
        with read_only(self.engine) as conn:
            rows = conn.execute(
                select(outbox.c.id, outbox.c.event_id, outbox.c.type, outbox.c.body)
                .where(outbox.c.sent_at.is_(None))
                .order_by(outbox.c.id)
                .limit(self.settings.relay_batch)
            ).all()
        sent = []
        try:
            for row in rows:
                self._publish(channel, row)
                sent.append(row.id)
                metrics.EVENTS_PUBLISHED.labels(self.settings.service, row.type).inc()
        finally:
            # What the broker confirmed before a failure is marked too, so it is not re-sent.
            if sent:
                with self.engine.begin() as conn:
                    conn.execute(
                        update(outbox).where(outbox.c.id.in_(sent)).values(sent_at=utcnow())
                    )
        return len(rows)

    def _publish(self, channel, row) -> None:
        correlation = json.loads(row.body).get("correlation_id")
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=row.event_id,
            type=row.type,
            correlation_id=correlation,
            app_id=self.settings.service,
        )
        try:
            channel.basic_publish(
                self.settings.exchange, row.type, row.body, properties, mandatory=True
            )
        except UnroutableError:
            # No queue subscribes to this type: the broker confirmed there is nobody to tell.
            log.warning("event %s (%s) had no subscriber", row.event_id, row.type)


class Consumer:
    """Handles each delivery in one transaction with its inbox row, then acks.

    A failing handler is nacked with requeue, so the quorum queue counts the delivery and,
    past the delivery limit, dead-letters it to the service's DLQ while the rest flow on.
    """

    def __init__(self, engine: Engine, settings: Settings, handlers: dict[str, Handler]):
        self.engine = engine
        self.settings = settings
        self.handlers = handlers
        self.ready = threading.Event()
        # Zero-valued series from the start, so a dashboard can tell "none failed" from "unknown".
        for event_type in handlers:
            for counter in (
                metrics.EVENTS_CONSUMED,
                metrics.EVENTS_FAILED,
                metrics.EVENTS_DUPLICATE,
            ):
                counter.labels(settings.service, event_type)

    def run(self, stop: threading.Event) -> None:
        run_with_reconnect("consumer", stop, lambda: self._session(stop))

    def _session(self, stop: threading.Event) -> None:
        connection = connect(self.settings)
        try:
            channel = connection.channel()
            declare_topology(channel, self.settings, self.handlers)
            channel.basic_qos(prefetch_count=self.settings.prefetch)
            channel.basic_consume(self.settings.queue, self._on_message)
            self.ready.set()
            while not stop.is_set():
                connection.process_data_events(time_limit=0.5)
        finally:
            self.ready.clear()
            if connection.is_open:
                connection.close()

    def _on_message(self, channel, method, properties, body: bytes) -> None:
        tag = method.delivery_tag
        try:
            event = parse_event(json.loads(body))
        except (ValueError, ValidationError, UnknownEventType) as exc:
            log.error("malformed message %s dead-lettered: %s", properties.message_id, exc)
            metrics.EVENTS_FAILED.labels(self.settings.service, method.routing_key).inc()
            channel.basic_nack(tag, requeue=False)
            return
        try:
            self.handle(event)
        except Exception:
            attempt = (properties.headers or {}).get("x-delivery-count", 0) + 1
            log.exception("handling %s %s failed (delivery %d)", event.type, event.id, attempt)
            metrics.EVENTS_FAILED.labels(self.settings.service, event.type).inc()
            time.sleep(min(0.05 * attempt, 1.0))
            channel.basic_nack(tag, requeue=True)
            return
        channel.basic_ack(tag)

    def handle(self, event: Event) -> None:
        """Apply an event exactly once: the inbox row commits with the handler's effects."""
        handler = self.handlers.get(event.type)
        with context.caused_by(event.correlation_id, event.id):
            try:
                with UnitOfWork(self.engine, self.settings.service) as uow:
                    uow.conn.execute(inbox.insert().values(event_id=event.id, type=event.type))
                    if handler is not None:
                        handler(uow, event)
            except IntegrityError:
                if not self._already_processed(event.id):
                    raise
                metrics.EVENTS_DUPLICATE.labels(self.settings.service, event.type).inc()
                return
        metrics.EVENTS_CONSUMED.labels(self.settings.service, event.type).inc()

    def _already_processed(self, event_id: str) -> bool:
        with read_only(self.engine) as conn:
            return (
                conn.execute(select(inbox.c.event_id).where(inbox.c.event_id == event_id)).first()
                is not None
            )
