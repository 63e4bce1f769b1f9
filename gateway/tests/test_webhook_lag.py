"""The dispatcher's gauges, which the alerts ErpWebhookLag and ErpWebhookDisabled read: the
age of the oldest delivery still owed to an active subscription (none owed: 0; a paused
subscription's deliveries wait on purpose and do not count) and subscriptions by status.

The dispatcher's clock is the test's, so ten minutes behind pass in a moment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from erp_shared.bus import Consumer
from erp_shared.db import utcnow
from erp_shared.events import new_event, parse_event
from erp_testing import bearer, service_app
from erp_testing.webhook_receiver import Receiver
from gateway.webhooks.dispatcher import LAG, SUBSCRIPTIONS, Dispatcher
from gateway.webhooks.handlers import HANDLERS

pytestmark = pytest.mark.integration

WEBHOOKS = "/api/v1/webhooks"


class Clock:
    def __init__(self):
        self.ahead = timedelta(0)

    def __call__(self):
        return utcnow() + self.ahead


@pytest.fixture
def gateway(databases, amqp_url, bus_prefix):
    return service_app("gateway", databases.new("sqlite"), amqp_url, bus_prefix)


def lag() -> float:
    return LAG.labels("gateway")._value.get()


def subscriptions(status: str) -> float:
    return SUBSCRIPTIONS.labels("gateway", status)._value.get()


def test_the_lag_is_the_oldest_owed_delivery_s_age_and_nothing_owed_is_none(gateway):
    extensions = gateway.extensions
    clock = Clock()
    dispatcher = Dispatcher(extensions["erp_engine"], extensions["erp_settings"], clock=clock)
    client = gateway.test_client()
    dispatcher.measure()
    assert lag() == 0
    with Receiver(204) as receiver:
        made = client.post(
            WEBHOOKS, json={"url": receiver.url, "events": ["order.confirmed"]}, headers=bearer()
        ).json
        envelope = new_event("order.confirmed", {"order_id": "o-1"}, producer="orders")
        Consumer(extensions["erp_engine"], extensions["erp_settings"], HANDLERS).apply(
            [parse_event(envelope)]
        )
        clock.ahead = timedelta(minutes=10)
        dispatcher.measure()
        assert 600 <= lag() < 610
        assert subscriptions("active") == 1

        client.patch(f"{WEBHOOKS}/{made['id']}", json={"status": "paused"}, headers=bearer())
        dispatcher.measure()
        assert lag() == 0
        assert (subscriptions("active"), subscriptions("paused")) == (0, 1)

        client.patch(f"{WEBHOOKS}/{made['id']}", json={"status": "active"}, headers=bearer())
        assert dispatcher.dispatch_once() == 1
        dispatcher.measure()
        assert lag() == 0
    assert len(receiver.received) == 1
