"""With the broker and Redis both gone, the system still reads and takes orders: each app stays
ready (degraded), so an orchestrator keeps routing to it, and the gateway's limits fall back to
its own process, counted, instead of refusing every call. What was written is sent when the
broker is back."""

from __future__ import annotations

import httpx
import pytest

from erp_shared.config import SERVICES
from erp_testing import wait_until
from erp_testing.faults import BrokerLink

pytestmark = pytest.mark.e2e

REDIS = ("127.0.0.1", 6379)


@pytest.fixture
def links(amqp_url):
    broker, redis = BrokerLink.to(amqp_url), BrokerLink(REDIS)
    redis.restore()
    yield broker, redis
    broker.cut()
    redis.cut()


def storage_errors(system) -> float:
    text = httpx.get(f"{system.gateway}/metrics", timeout=10).text
    samples = [
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("erp_rate_limit_storage_errors_total{")
    ]
    return sum(samples)


def test_reads_and_orders_are_answered_while_the_broker_and_redis_are_away(
    start_system, links, amqp_url
):
    broker, redis = links
    system = start_system(
        broker_url=broker.url(amqp_url),
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/15",
    )
    system.create_stocked_product("AWAY-1", 5)
    customer_id = system.create_customer()
    system.decisions([system.place_first_order(customer_id, "AWAY-1", 1)["id"]])

    broker.cut()
    redis.cut()
    for service in SERVICES:
        url = f"http://127.0.0.1:{system.port(service)}/health/ready"
        ready = wait_until(
            lambda url=url: (
                (r := httpx.get(url, timeout=5)).json()["checks"].get("broker") == "down" and r
            ),
            timeout=15,
        )
        assert (ready.status_code, ready.json()["status"]) == (200, "degraded"), service

    read = system.call("GET", "/products/AWAY-1")
    assert read.status_code == 200, read.text
    placed = system.place_order(customer_id, "AWAY-1", 1)
    assert placed.status_code == 201, placed.text
    assert storage_errors(system) >= 1

    broker.restore()
    redis.restore()
    assert system.decisions([placed.json()["id"]]) == ["confirmed"]
