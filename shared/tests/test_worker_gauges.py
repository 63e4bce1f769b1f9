"""What a worker tells Prometheus about its service's plumbing: the outbox backlog and its
age, whether the consumer is connected, and the dead-letter queue's depth (each has an alert
in deploy/prometheus)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from erp_shared.db import make_engine
from erp_shared.events import new_event
from erp_shared.idempotency import idempotency_metadata
from erp_shared.messaging import add_to_outbox, messaging_metadata
from erp_shared.uow import UnitOfWork
from erp_shared.worker import measure_outbox
from erp_testing import PROBE, RunningConsumer, settings_for, wait_until

pytestmark = pytest.mark.integration


def gauge(name: str, service: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": service})


@pytest.fixture
def engine(backend, databases):
    engine = make_engine(databases.new(backend))
    messaging_metadata.create_all(engine)
    idempotency_metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_the_outbox_backlog_and_its_age_are_measured(engine):
    settings = settings_for("gauges", str(engine.url))
    with UnitOfWork(engine, "gauges") as uow:
        event = new_event("customer.erased", {"customer_id": "c-1"}, producer="gauges")
        add_to_outbox(uow.conn, event)

    with UnitOfWork(engine, "gauges") as uow:
        uow.now += timedelta(seconds=30)
        measure_outbox(uow, settings)

    assert gauge("erp_outbox_backlog", "gauges") == 1
    assert gauge("erp_outbox_oldest_age_seconds", "gauges") >= 30


def test_an_empty_outbox_has_no_age(engine):
    settings = settings_for("quiet", str(engine.url))
    with UnitOfWork(engine, "quiet") as uow:
        measure_outbox(uow, settings)

    assert gauge("erp_outbox_backlog", "quiet") == 0
    assert gauge("erp_outbox_oldest_age_seconds", "quiet") == 0


def test_a_consumer_says_when_it_is_connected_and_how_many_dead_letters_wait(
    engine, amqp_url, bus_prefix
):
    service = PROBE  # a queue bus_prefix's clean-up knows
    settings = settings_for(service, str(engine.url), amqp_url, bus_prefix)

    with RunningConsumer(engine, settings, {}):
        wait_until(lambda: gauge("erp_consumer_up", service) == 1)
        wait_until(lambda: gauge("erp_dead_letters", service) == 0)

    assert gauge("erp_consumer_up", service) == 0
