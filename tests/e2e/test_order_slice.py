"""One order travels the whole system, driven through the gateway only."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from erp_shared.config import APPS, SERVICES
from erp_testing import wait_until

pytestmark = pytest.mark.e2e


def test_an_order_is_confirmed_reserved_and_reported_and_an_oversized_one_rejected(system):
    before = system.call("GET", "/analytics/summary").json()
    system.create_stocked_product("CHAIR-01", 10)
    customer_id = system.create_customer()

    order = system.place_first_order(customer_id, "CHAIR-01", 3)
    assert order["status"] == "pending"
    assert order["lines"][0]["unit_price"] == "149.00"
    confirmed = wait_until(lambda: system.settled(order["id"]))
    assert confirmed["status"] == "confirmed"
    assert [h["status"] for h in confirmed["history"]] == ["pending", "confirmed"]

    stock = system.stock("CHAIR-01")
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (10, 3, 7)

    too_big = system.place_order(customer_id, "CHAIR-01", 100).json()
    rejected = wait_until(lambda: system.settled(too_big["id"]))
    assert rejected["status"] == "rejected"
    assert "requested 100, available 7" in rejected["rejection_reason"]

    summary = wait_until(
        lambda: (
            (s := system.call("GET", "/analytics/summary").json())["orders"] == before["orders"] + 1
            and s
        )
    )
    assert Decimal(summary["revenue"]) - Decimal(before["revenue"]) == Decimal("447.00")
    assert summary["units"] - before["units"] == 3


def test_the_request_id_follows_an_order_into_logs_and_the_events_it_causes(system):
    system.create_stocked_product("LAMP", 5)
    customer_id = system.create_customer()
    system.place_first_order(customer_id, "LAMP", 1)
    order = system.place_order(customer_id, "LAMP", 1, **{"X-Request-ID": "trace-me-42"})
    assert order.headers["X-Request-ID"] == "trace-me-42"
    wait_until(lambda: system.settled(order.json()["id"]))
    log = (system.var_dir / "log" / "orders.log").read_text()
    logged = [json.loads(line) for line in log.splitlines() if line[:1] == "{"]
    assert any(line["request_id"] == "trace-me-42" for line in logged)
    with sqlite3.connect(system.var_dir / "inventory.db") as inventory:
        replies = [
            json.loads(body)
            for (body,) in inventory.execute(
                "SELECT body FROM outbox WHERE type = 'stock.reserved'"
            )
        ]
    reply = next(r for r in replies if r["data"]["order_id"] == order.json()["id"])
    assert reply["correlation_id"] == "trace-me-42"


def test_every_process_exposes_parseable_http_and_event_metrics(system):
    system.create_stocked_product("DESK", 5)
    customer_id = system.create_customer()
    order = system.place_first_order(customer_id, "DESK", 1)
    wait_until(lambda: system.settled(order["id"]))
    for _ in range(40):
        httpx.get(f"http://127.0.0.1:{system.port('inventory')}/health/live")

    apps, workers = {}, {}
    for service in APPS:
        text = httpx.get(f"http://127.0.0.1:{system.port(service)}/metrics").text
        apps[service] = {f.name: f for f in text_string_to_metric_families(text)}
        assert "erp_http_requests" in apps[service]
        assert "erp_http_request_duration_seconds" in apps[service]
    for service in SERVICES:
        text = httpx.get(f"http://127.0.0.1:{system.worker_port(service)}/metrics").text
        workers[service] = {f.name: f for f in text_string_to_metric_families(text)}
        assert {"erp_events_consumed", "erp_events_failed"} <= set(workers[service]), service

    live = sum(
        sample.value
        for sample in apps["inventory"]["erp_http_requests"].samples
        if sample.labels.get("route") == "/health/live" and sample.name.endswith("_total")
    )
    assert live >= 40

    def value(service, family, event_type):
        return sum(
            s.value
            for s in workers[service][family].samples
            if s.labels.get("type") == event_type and s.name.endswith("_total")
        )

    assert value("orders", "erp_events_published", "order.placed") >= 1
    assert value("inventory", "erp_events_consumed", "order.placed") >= 1
    assert value("inventory", "erp_events_published", "stock.reserved") >= 1
    assert value("orders", "erp_events_consumed", "stock.reserved") >= 1
    assert value("crm", "erp_events_published", "customer.registered") >= 1


def test_one_openapi_document_describes_the_whole_api(system):
    answer = httpx.get(f"{system.gateway}/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"].startswith("3.")
    assert {
        "/api/v1/auth/token",
        "/api/v1/customers",
        "/api/v1/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/products",
        "/api/v1/receipts",
        "/api/v1/stock/{sku}",
        "/api/v1/analytics/summary",
    } <= set(document["paths"])
    refs = json.dumps(document).split('"$ref": "#/components/schemas/')[1:]
    missing = {ref.split('"')[0] for ref in refs} - set(document["components"]["schemas"])
    assert missing == set()
    assert httpx.get(f"{system.gateway}/api/v1/docs").status_code == 200
