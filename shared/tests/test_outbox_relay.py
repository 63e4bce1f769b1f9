"""What a use case writes to the outbox reaches the broker, and only a rollback stops it."""

from __future__ import annotations

import json
import threading

import pika
import pytest
from sqlalchemy import select

from erp_shared.bus import OutboxRelay
from erp_shared.db import make_engine
from erp_shared.messaging import messaging_metadata, outbox
from erp_shared.uow import UnitOfWork
from erp_testing import settings_for, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(backend, databases):
    engine = make_engine(databases.new(backend))
    messaging_metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def listener(amqp_url, bus_prefix):
    """A queue bound to order.confirmed on the test's exchange."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.exchange_declare(f"{bus_prefix}erp.events", exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, f"{bus_prefix}erp.events", routing_key="order.confirmed")
    yield channel, queue
    connection.close()


def unsent(engine) -> list[str]:
    with engine.connect() as conn:
        return [
            row.event_id
            for row in conn.execute(select(outbox.c.event_id).where(outbox.c.sent_at.is_(None)))
        ]


def test_committed_events_are_published_and_marked_sent(engine, amqp_url, bus_prefix, listener):
    channel, queue = listener
    with UnitOfWork(engine, "orders") as uow:
        emitted = uow.emit("order.confirmed", {"order_id": "o-1"})
    with pytest.raises(RuntimeError), UnitOfWork(engine, "orders") as uow:
        uow.emit("order.confirmed", {"order_id": "o-rolled-back"})
        raise RuntimeError("the business change failed")
    assert unsent(engine) == [emitted["id"]]

    stop = threading.Event()
    relay = OutboxRelay(engine, settings_for("orders", str(engine.url), amqp_url, bus_prefix))
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: unsent(engine) == [])
        method, properties, body = wait_until(lambda: _get(channel, queue))
    finally:
        stop.set()
        thread.join(10)
    assert json.loads(body) == emitted
    assert properties.delivery_mode == pika.DeliveryMode.Persistent.value
    assert _get(channel, queue) is None


def test_nothing_is_marked_sent_while_the_broker_is_unreachable(engine, bus_prefix):
    with UnitOfWork(engine, "orders") as uow:
        uow.emit("order.confirmed", {"order_id": "o-2"})
    nowhere = "amqp://guest:guest@127.0.0.1:1/%2F"
    stop = threading.Event()
    relay = OutboxRelay(engine, settings_for("orders", str(engine.url), nowhere, bus_prefix))
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    stop.wait(1.0)
    stop.set()
    thread.join(10)
    assert len(unsent(engine)) == 1


def _get(channel, queue):
    method, properties, body = channel.basic_get(queue, auto_ack=True)
    return (method, properties, body) if method else None
