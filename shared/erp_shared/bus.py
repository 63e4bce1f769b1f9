"""RabbitMQ on pika: topology, the outbox relay and the inbox-guarded consumer.

pika connections are not thread-safe and miss heartbeats when nobody calls into them, so each
loop below owns its own connection and never blocks for long outside pika's own calls.
Both loops reconnect with capped exponential backoff while the broker is away.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pika
from marshmallow import ValidationError
from pika.exceptions import AMQPError, UnroutableError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from erp_shared import context, idempotency, messaging, metrics
from erp_shared.config import Settings
from erp_shared.db import read_only
from erp_shared.errors import Refused
from erp_shared.events import PAYLOADS, Event, UnknownEventType, parse_event
from erp_shared.uow import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Event], None]
TRANSIENT_RETRIES = 3
# The idempotency scope of consumed events: an event id is claimed once per service database.
EVENT_SCOPE = "event"
# The longest an idle relay goes without looking at its outbox: how late an event written by
# the HTTP side after a quiet spell may leave.
RELAY_IDLE_MAX = 0.5
# How often a consumer counts its dead-letter queue: about as often as Prometheus scrapes.
DEAD_LETTERS_EVERY = 15.0


def connect(settings: Settings) -> pika.BlockingConnection:
    params = pika.URLParameters(settings.amqp_url)
    params.heartbeat = 30
    params.blocked_connection_timeout = 30
    params.socket_timeout = 5
    params.connection_attempts = 1
    params.client_properties = {"connection_name": f"{settings.service}-worker"}
    return pika.BlockingConnection(params)


def declare_topology(channel, settings: Settings, event_types: Iterable[str]) -> None:
    """Idempotent: every worker declares what it needs on each (re)connect. The queue is bound
    to exactly the types its handlers take: a binding a release no longer needs (a type the
    service stopped taking) is removed, so the broker stops delivering what would be skipped."""
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
    taken = set(event_types)
    for event_type in taken:
        channel.queue_bind(settings.queue, settings.exchange, routing_key=event_type)
    for event_type in PAYLOADS.keys() - taken:
        channel.queue_unbind(settings.queue, settings.exchange, routing_key=event_type)


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
    """Publishes committed outbox rows and marks them sent only after the broker confirmed.

    It looks for rows often while there are some and ever less often while there are none
    (from `relay_idle_seconds` doubling up to RELAY_IDLE_MAX), so an idle worker costs next to
    nothing. What the worker's own consumer commits it announces with `nudge()`, so an event
    that causes another is passed on at once, whatever the back-off.
    """

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self._nudged = threading.Event()
        self._connection: pika.BlockingConnection | None = None

    def nudge(self) -> None:
        """Called from another thread: wake the relay out of its wait on the broker's socket."""
        self._nudged.set()
        connection = self._connection
        # A connection closing meanwhile refuses; its next session looks at the outbox first.
        if connection is not None:
            with contextlib.suppress(AMQPError):
                connection.add_callback_threadsafe(lambda: None)

    def run(self, stop: threading.Event) -> None:
        run_with_reconnect("outbox relay", stop, lambda: self._session(stop))

    def _session(self, stop: threading.Event) -> None:
        connection = connect(self.settings)
        try:
            channel = connection.channel()
            channel.exchange_declare(self.settings.exchange, exchange_type="topic", durable=True)
            channel.confirm_delivery()
            self._connection = connection
            wait, looked_at = self.settings.relay_idle_seconds, -math.inf
            while not stop.is_set():
                if self._nudged.is_set() or time.monotonic() - looked_at >= wait:
                    self._nudged.clear()
                    looked_at = time.monotonic()
                    found = self.relay_batch(channel)
                    if found == self.settings.relay_batch:
                        continue
                    wait = (
                        self.settings.relay_idle_seconds if found else min(wait * 2, RELAY_IDLE_MAX)
                    )
                remaining = looked_at + wait - time.monotonic()
                connection.process_data_events(time_limit=max(remaining, 0))
        finally:
            self._connection = None
            if connection.is_open:
                connection.close()

    def relay_batch(self, channel) -> int:
        """Publish one batch of unsent rows; returns how many there were.

        On PostgreSQL the rows are claimed (FOR UPDATE SKIP LOCKED) for the length of the
        batch, so two workers of one service never publish the same row. SQLite has a single
        writer: holding its lock while publishing would stall every request, so there the rows
        are read, published, then marked, and a second relay may publish a row twice, which
        consumers' inboxes absorb.
        """
        if self.engine.dialect.name == "postgresql":
            with self.engine.begin() as conn:
                rows = conn.execute(messaging.unsent(self.settings.relay_batch, locked=True)).all()
                sent, failure = self._publish_all(channel, rows)
                if sent:
                    messaging.mark_sent(conn, sent)
        else:
            with read_only(self.engine) as conn:
                rows = conn.execute(messaging.unsent(self.settings.relay_batch)).all()
            sent, failure = self._publish_all(channel, rows)
            if sent:
                with self.engine.begin() as conn:
                    messaging.mark_sent(conn, sent)
        if failure is not None:
            raise failure
        return len(rows)

    def _publish_all(self, channel, rows) -> tuple[list[int], Exception | None]:
        """What the broker confirmed before a failure is returned too, so it is marked sent."""
        sent = []
        for row in rows:
            try:
                self._publish(channel, row)
            except (AMQPError, OSError) as exc:
                return sent, exc
            sent.append(row.id)
            metrics.EVENTS_PUBLISHED.labels(self.settings.service, row.type).inc()
        return sent, None

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


@dataclass(frozen=True)
class Delivery:
    tag: int
    routing_key: str
    properties: pika.BasicProperties
    body: bytes


class Consumer:
    """Applies deliveries in one transaction with their inbox rows, then acks them.

    What arrived together is applied together: one commit and one ack for the lot, which is
    what lets a worker keep up with the HTTP side. If anything in the lot fails, the lot is
    rolled back and each delivery is applied on its own, so one bad event holds back nothing.

    A business refusal (a `Refused` from the use case) is the event's final answer: its effects
    are undone, it is acked, logged, counted and its id recorded with the reason, since
    redelivering it would only be refused again. A delivery that fails for any other reason
    (the database, a bug) is nacked with requeue; the quorum queue counts it and, past the
    delivery limit, dead-letters it to the service's DLQ.
    """

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        handlers: dict[str, Handler],
        applied: Callable[[], None] = lambda: None,
    ):
        self.engine = engine
        self.settings = settings
        self.handlers = handlers
        self.applied = applied
        self.ready = threading.Event()
        self._received: list[Delivery] = []
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
            consumer_tag = channel.basic_consume(self.settings.queue, self._receive)
            self.ready.set()
            metrics.CONSUMER_UP.labels(self.settings.service).set(1)
            counted_at = -math.inf
            while not stop.is_set():
                connection.process_data_events(time_limit=0.5)
                if self._received:
                    self._settle(channel)
                if time.monotonic() - counted_at >= DEAD_LETTERS_EVERY:
                    counted_at = time.monotonic()
                    self._count_dead_letters(channel)
            self._stop_consuming(channel, consumer_tag)
        finally:
            metrics.CONSUMER_UP.labels(self.settings.service).set(0)
            self.ready.clear()
            self._received.clear()
            if connection.is_open:
                connection.close()

    def _stop_consuming(self, channel, consumer_tag: str) -> None:
        """Asked to stop: the broker stops sending first, then what this worker already took
        is applied and acknowledged. Closing with a prefetched lot unacknowledged would send it
        back, and a quorum queue counts each return against the delivery limit: a worker
        restarted a few times under load would dead-letter healthy events. What arrived but is
        not yet handed over is taken in before cancelling: pika would return it otherwise."""
        connection = channel.connection
        while True:  # take in what is on its way; nothing more comes once the window is full
            before = len(self._received)
            connection.process_data_events(time_limit=0.05)
            if len(self._received) == before:
                break
        channel.basic_cancel(consumer_tag)
        if self._received:
            self._settle(channel)

    def _count_dead_letters(self, channel) -> None:
        """The dead-letter queue's depth for the metrics: anything there needs a person."""
        declared = channel.queue_declare(self.settings.dead_letter_queue, passive=True)
        metrics.DEAD_LETTERS.labels(self.settings.service).set(declared.method.message_count)

    def _receive(self, _channel, method, properties, body: bytes) -> None:
        if method.redelivered:
            metrics.EVENTS_REDELIVERED.labels(self.settings.service).inc()
        self._received.append(Delivery(method.delivery_tag, method.routing_key, properties, body))

    def _settle(self, channel) -> None:
        deliveries, self._received = self._received, []
        parsed = []
        for delivery in deliveries:
            try:
                parsed.append((delivery, parse_event(json.loads(delivery.body))))
            except (ValueError, ValidationError, UnknownEventType) as exc:
                log.error(
                    "malformed message %s dead-lettered: %s", delivery.properties.message_id, exc
                )
                metrics.EVENTS_FAILED.labels(self.settings.service, delivery.routing_key).inc()
                channel.basic_nack(delivery.tag, requeue=False)
        if not parsed:
            return
        try:
            self.apply([event for _, event in parsed])
        except Exception:
            log.warning(
                "a lot of %d deliveries failed; applying them one by one",
                len(parsed),
                exc_info=True,
            )
            for delivery, event in parsed:
                self._settle_one(channel, delivery, event)
            return
        self.applied()
        channel.basic_ack(parsed[-1][0].tag, multiple=True)

    def _settle_one(self, channel, delivery: Delivery, event: Event) -> None:
        for retry in range(TRANSIENT_RETRIES + 1):
            try:
                self.apply([event])
                break
            except OperationalError:
                # A deadlock or a busy database passes; it must not use up a delivery.
                if retry == TRANSIENT_RETRIES:
                    self._reject(channel, delivery, event)
                    return
                time.sleep(0.05 * (retry + 1))
            except Exception:
                self._reject(channel, delivery, event)
                return
        self.applied()
        channel.basic_ack(delivery.tag)

    def _reject(self, channel, delivery: Delivery, event: Event) -> None:
        attempt = (delivery.properties.headers or {}).get("x-delivery-count", 0) + 1
        log.exception("handling %s %s failed (delivery %d)", event.type, event.id, attempt)
        metrics.EVENTS_FAILED.labels(self.settings.service, event.type).inc()
        time.sleep(min(0.05 * attempt, 1.0))
        channel.basic_nack(delivery.tag, requeue=True)

    def apply(self, events: list[Event]) -> None:
        """Apply events exactly once: their claimed ids commit with the handlers' effects.

        An event claimed before, or twice in this lot, was or will be applied once and is
        otherwise skipped. Each handler runs in a savepoint: a business refusal undoes only
        that event's effects, keeps its claim with the reason, and the lot goes on.
        """
        refused: list[tuple[Event, Refused]] = []
        with UnitOfWork(self.engine, self.settings.service) as uow:
            claimed = idempotency.claim(uow.conn, EVENT_SCOPE, [event.id for event in events])
            fresh = list({event.id: event for event in events if event.id in claimed}.values())
            for event in fresh:
                handler = self.handlers.get(event.type)
                if handler is None:
                    continue
                uow.actor = f"{event.producer}:{event.type}"
                try:
                    with context.caused_by(event.correlation_id, event.id), uow.savepoint():
                        handler(uow, event)
                except Refused as refusal:
                    refused.append((event, refusal))
                    reason = f"refused: {refusal.detail}"[:200]
                    idempotency.remember(uow.conn, EVENT_SCOPE, event.id, reason)
        for event, refusal in refused:
            log.warning("%s %s refused: %s", event.type, event.id, refusal.detail)
            metrics.EVENTS_REFUSED.labels(self.settings.service, event.type).inc()
        refused_ids = {event.id for event, _ in refused}
        fresh_ids = {event.id for event in fresh}
        for event in events:
            applied = event.id in fresh_ids
            fresh_ids.discard(event.id)
            if applied and event.id in refused_ids:
                continue
            counter = metrics.EVENTS_CONSUMED if applied else metrics.EVENTS_DUPLICATE
            counter.labels(self.settings.service, event.type).inc()
