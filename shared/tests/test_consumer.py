"""The consumer applies each event once, takes a business refusal as final, dead-letters what
keeps failing for any other reason, and keeps going."""

from __future__ import annotations

import json

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Column, MetaData, String, Table, func, select
from sqlalchemy.exc import OperationalError

from erp_shared.bus import Consumer
from erp_shared.db import make_engine
from erp_shared.errors import NotAllowed
from erp_shared.events import new_event, parse_event
from erp_shared.idempotency import idempotency_keys, idempotency_metadata
from erp_shared.messaging import messaging_metadata
from erp_testing import (
    RunningConsumer,
    publish_raw,
    queue_depth,
    settings_for,
    wait_until,
)

pytestmark = pytest.mark.integration

metadata = MetaData()
effects = Table("effects", metadata, Column("event_id", String(36)), Column("note", String(80)))


def record_effect(uow, event):
    uow.conn.execute(effects.insert().values(event_id=event.id, note=event.type))


def always_fail(uow, event):
    raise RuntimeError("this handler never succeeds")


def effect_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(effects)).scalar_one()


def counter(name: str, event_type: str) -> float:
    return REGISTRY.get_sample_value(name, {"service": "probe", "type": event_type}) or 0.0


@pytest.fixture
def probe_engine(backend, databases):
    engine = make_engine(databases.new(backend))
    messaging_metadata.create_all(engine)
    idempotency_metadata.create_all(engine)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def customer_event(event_type="customer.registered"):
    return new_event(
        event_type, {"customer_id": "c-1", "name": "Ada", "email": "a@x.org"}, producer="crm"
    )


def publish(amqp_url, settings, envelope: dict) -> None:
    body = json.dumps(envelope).encode()
    publish_raw(amqp_url, settings.exchange, envelope["type"], body)


def test_the_same_event_delivered_twice_changes_state_once(probe_engine, amqp_url, bus_prefix):
    settings = settings_for("probe", str(probe_engine.url), amqp_url, bus_prefix)
    body = json.dumps(customer_event()).encode()
    duplicates_before = counter("erp_events_duplicate_total", "customer.registered")
    with RunningConsumer(probe_engine, settings, {"customer.registered": record_effect}):
        publish_raw(amqp_url, settings.exchange, "customer.registered", body)
        publish_raw(amqp_url, settings.exchange, "customer.registered", body)
        wait_until(
            lambda: (
                counter("erp_events_duplicate_total", "customer.registered")
                == duplicates_before + 1
            )
        )
    assert effect_count(probe_engine) == 1


def test_a_message_that_always_fails_ends_in_the_dlq_and_the_rest_flow_on(
    probe_engine, amqp_url, bus_prefix
):
    settings = settings_for("probe", str(probe_engine.url), amqp_url, bus_prefix)
    handlers = {"customer.registered": always_fail, "customer.updated": record_effect}
    bodies = [json.dumps(customer_event("customer.updated")).encode() for _ in range(3)]
    with RunningConsumer(probe_engine, settings, handlers):
        # Published back to back, so they tend to arrive, and be applied, as one lot.
        publish_raw(amqp_url, settings.exchange, "customer.updated", bodies[0])
        publish(amqp_url, settings, customer_event())
        publish_raw(amqp_url, settings.exchange, "customer.updated", bodies[1])
        publish_raw(amqp_url, settings.exchange, "customer.updated", b"{not json")
        publish_raw(amqp_url, settings.exchange, "customer.updated", bodies[2])
        wait_until(lambda: queue_depth(amqp_url, settings.dead_letter_queue) == 2, timeout=20)
        wait_until(lambda: effect_count(probe_engine) == 3)
    assert queue_depth(amqp_url, settings.queue) == 0


def test_a_passing_database_error_is_retried_without_using_up_a_delivery(
    probe_engine, amqp_url, bus_prefix
):
    settings = settings_for("probe", str(probe_engine.url), amqp_url, bus_prefix)
    failures = iter([True, True])

    def deadlocked_twice(uow, event):
        if next(failures, False):
            raise OperationalError("UPDATE stock_levels", {}, Exception("deadlock detected"))
        record_effect(uow, event)

    failed_before = counter("erp_events_failed_total", "customer.updated")
    with RunningConsumer(probe_engine, settings, {"customer.updated": deadlocked_twice}):
        publish(amqp_url, settings, customer_event("customer.updated"))
        wait_until(lambda: effect_count(probe_engine) == 1)
    assert counter("erp_events_failed_total", "customer.updated") == failed_before
    assert queue_depth(amqp_url, settings.dead_letter_queue) == 0


def test_two_copies_of_an_event_in_one_lot_apply_once(probe_engine):
    consumer = Consumer(
        probe_engine,
        settings_for("probe", str(probe_engine.url)),
        {"customer.registered": record_effect},
    )
    event = parse_event(customer_event())
    consumer.apply([event, event])
    consumer.apply([event])
    assert effect_count(probe_engine) == 1


def test_a_business_refusal_is_acked_once_recorded_and_never_redelivered(
    probe_engine, amqp_url, bus_prefix
):
    settings = settings_for("probe", str(probe_engine.url), amqp_url, bus_prefix)
    refusals = []

    def refuse(uow, event):
        record_effect(uow, event)  # rolled back with the refusal
        refusals.append(event.id)
        raise NotAllowed("a shipped order cannot be cancelled")

    handlers = {"customer.registered": refuse, "customer.updated": record_effect}
    refused = customer_event()
    body = json.dumps(refused).encode()
    refused_before = counter("erp_events_refused_total", "customer.registered")
    failed_before = counter("erp_events_failed_total", "customer.registered")
    with RunningConsumer(probe_engine, settings, handlers):
        publish_raw(amqp_url, settings.exchange, "customer.registered", body)
        wait_until(lambda: refusals)
        # The same event again (a producer's redelivery) is a duplicate, not a second refusal.
        publish_raw(amqp_url, settings.exchange, "customer.registered", body)
        # A later event is applied, so everything published before it has been settled.
        publish(amqp_url, settings, customer_event("customer.updated"))
        wait_until(lambda: effect_count(probe_engine) == 1)
        wait_until(lambda: queue_depth(amqp_url, settings.queue) == 0)
    assert refusals == [refused["id"]]
    assert counter("erp_events_refused_total", "customer.registered") == refused_before + 1
    assert counter("erp_events_failed_total", "customer.registered") == failed_before
    assert queue_depth(amqp_url, settings.dead_letter_queue) == 0
    with probe_engine.connect() as conn:
        recorded = conn.execute(
            select(idempotency_keys.c.result).where(idempotency_keys.c.key == refused["id"])
        ).scalar_one()
    assert recorded == "refused: a shipped order cannot be cancelled"


def test_a_type_the_service_stopped_taking_is_no_longer_delivered(
    probe_engine, amqp_url, bus_prefix
):
    """A release that drops a handler (analytics no longer takes order.placed) leaves no
    binding behind: the broker stops routing that type to the queue at the next connect."""
    settings = settings_for("probe", str(probe_engine.url), amqp_url, bus_prefix)
    both = {"customer.registered": record_effect, "customer.updated": record_effect}
    with RunningConsumer(probe_engine, settings, both):
        pass
    with RunningConsumer(probe_engine, settings, {"customer.registered": record_effect}):
        pass
    publish(amqp_url, settings, customer_event("customer.updated"))
    publish(amqp_url, settings, customer_event("customer.registered"))
    wait_until(lambda: queue_depth(amqp_url, settings.queue) >= 1, timeout=5)
    assert queue_depth(amqp_url, settings.queue) == 1
