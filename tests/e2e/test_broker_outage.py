"""Orders placed while the broker is unreachable wait, and are all decided once it is back."""

from __future__ import annotations

import threading

import httpx
import pytest

from erp_testing import wait_until
from erp_testing.faults import BrokerLink

pytestmark = pytest.mark.e2e


@pytest.fixture
def link(amqp_url):
    link = BrokerLink.to(amqp_url)
    yield link
    link.cut()


def test_orders_placed_during_a_broker_outage_are_all_decided_after_it(
    start_system, link, amqp_url
):
    system = start_system(broker_url=link.url(amqp_url))
    system.create_stocked_product("DURING-OUTAGE", 6)
    customer_id = system.create_customer()
    warm_up = system.place_first_order(customer_id, "DURING-OUTAGE", 10_000)
    wait_until(lambda: system.settled(warm_up["id"]))

    link.cut()
    health = f"{system.gateway}/health"
    wait_until(lambda: httpx.get(health, headers=system.auth).status_code == 503, timeout=15)
    placed = [system.place_order(customer_id, "DURING-OUTAGE", 1) for _ in range(10)]
    assert [answer.status_code for answer in placed] == [201] * 10
    ids = [answer.json()["id"] for answer in placed]
    threading.Event().wait(2.0)  # time in which a lost or mis-sent event would show
    assert {system.order(order_id)["status"] for order_id in ids} == {"pending"}

    link.restore()
    decided = system.decisions(ids)
    assert decided.count("confirmed") == 6
    assert decided.count("rejected") == 4
    wait_until(lambda: httpx.get(health, headers=system.auth).status_code == 200, timeout=15)
