"""A worked example, checked against a hand calculation: a backdated receipt is the first lot
out, a return comes back at the cost it left with, and turnover follows from the costs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from erp_shared.messaging import outbox
from erp_testing import bearer, deliver, service_app

pytestmark = pytest.mark.integration


@pytest.fixture
def app(backend, databases):
    return service_app("inventory", databases.new(backend))


@pytest.fixture
def client(app):
    return app.test_client()


def post(client, path, body):
    answer = client.post(f"/api/v1{path}", json=body, headers=bearer())
    assert answer.status_code == 201, answer.json
    return answer.json


def receive(client, sku, quantity, cost, received_at=None):
    line = {"sku": sku, "quantity": quantity, "unit_cost": cost}
    body = {"lines": [line]} | ({"received_at": received_at} if received_at else {})
    return post(client, "/receipts", body)


def sent(app, event_type):
    with app.extensions["erp_engine"].connect() as conn:
        rows = conn.scalars(select(outbox.c.body).where(outbox.c.type == event_type))
        return [json.loads(body)["data"] for body in rows]


def ship(app, order_id, sku, quantity):
    placed = {
        "order_id": order_id,
        "number": f"SO-{order_id}",
        "customer_id": "c-1",
        "channel": "web",
        "lines": [{"sku": sku, "quantity": quantity, "unit_price": "20.00"}],
        "subtotal": "20.00",
        "total": "20.00",
        "currency": "EUR",
    }
    deliver(app, "order.placed", placed, "orders")
    deliver(app, "order.confirmed", {"order_id": order_id}, "orders")
    lines = [{"sku": sku, "quantity": quantity}]
    deliver(app, "order.shipped", {"order_id": order_id, "lines": lines}, "orders")


def test_a_backdated_receipt_leaves_first_and_a_return_comes_back_at_its_cost(client, app):
    post(client, "/products", {"sku": "LAMP", "name": "Lamp", "unit_price": "20.00"})
    receive(client, "LAMP", 10, "5.00", "2026-03-10T00:00:00Z")
    receive(client, "LAMP", 10, "7.00", "2026-03-20T00:00:00Z")
    receive(client, "LAMP", 5, "4.00", "2026-03-01T00:00:00Z")  # entered late, received first

    ship(app, "o-1", "LAMP", 8)
    # 5 from the backdated lot at 4.00, then 3 at 5.00: 20.00 + 15.00 (not 8 x 5.00 = 40.00).
    assert sent(app, "stock.issued") == [
        {"order_id": "o-1", "lines": [{"sku": "LAMP", "quantity": 8, "cost": "35.00"}]}
    ]
    stock = client.get("/api/v1/stock/LAMP", headers=bearer()).json
    assert [(lot["quantity"], lot["unit_cost"]) for lot in stock["lots"]] == [
        (7, "5.00"),
        (10, "7.00"),
    ]
    assert (stock["on_hand"], stock["reserved"]) == (17, 0)

    return_lines = [
        {"sku": "LAMP", "quantity": 2, "condition": "resellable"},
        {"sku": "LAMP", "quantity": 1, "condition": "damaged"},
    ]
    received = {"return_id": "r-1", "order_id": "o-1", "resolution": "refund"}
    deliver(app, "return.received", received | {"lines": return_lines}, "orders")
    # The last units out (3 at 5.00) come back first: 2 resellable at 5.00, 1 damaged.
    stock = client.get("/api/v1/stock/LAMP", headers=bearer()).json
    assert [(lot["quantity"], lot["unit_cost"]) for lot in stock["lots"]][-1] == (2, "5.00")
    assert stock["on_hand"] == 19
    # The cost they went back at leaves the order's cost of goods sold (analytics' margin).
    assert sent(app, "stock.restocked") == [
        {
            "return_id": "r-1",
            "order_id": "o-1",
            "lines": [{"sku": "LAMP", "quantity": 2, "cost": "10.00"}],
        }
    ]


def test_turnover_cogs_and_abc_classes_match_a_hand_calculation(client, app):
    post(client, "/products", {"sku": "LAMP", "name": "Lamp", "unit_price": "20.00"})
    post(client, "/products", {"sku": "DESK", "name": "Desk", "unit_price": "90.00"})
    post(client, "/products", {"sku": "IDLE", "name": "Idle", "unit_price": "1.00"})
    receive(client, "LAMP", 10, "5.00", "2026-03-10T00:00:00Z")
    receive(client, "LAMP", 10, "7.00", "2026-03-20T00:00:00Z")
    receive(client, "LAMP", 5, "4.00", "2026-03-01T00:00:00Z")
    receive(client, "DESK", 10, "1.00", "2026-03-01T00:00:00Z")
    receive(client, "IDLE", 4, "2.00", "2026-03-01T00:00:00Z")
    ship(app, "o-1", "LAMP", 8)
    ship(app, "o-2", "DESK", 1)
    lines = [{"sku": "LAMP", "quantity": 2, "condition": "resellable"}]
    deliver(
        app,
        "return.received",
        {"return_id": "r-1", "order_id": "o-1", "resolution": "refund", "lines": lines},
        "orders",
    )

    today = datetime.now(UTC).date()
    start = today - timedelta(days=9)
    answer = client.get(
        f"/api/v1/inventory/turnover?from={start}&to={today}", headers=bearer()
    ).json
    lines = {line["sku"]: line for line in answer["items"]}
    # LAMP: opening 5x4 + 10x5 + 10x7 = 140.00; COGS 35.00; back 2x5 = 10.00;
    # closing 140 - 35 + 10 = 115.00; average 127.50; turnover 35 / 127.5 = 0.2745;
    # days of inventory 10 / 0.2745 = 36.4.
    assert lines["LAMP"] == {
        "sku": "LAMP",
        "cogs": "35.00",
        "opening_value": "140.00",
        "closing_value": "115.00",
        "average_inventory_value": "127.50",
        "turnover": 0.2745,
        "days_of_inventory": 36.4,
        "abc_class": "A",
    }
    # DESK: COGS 1.00 of 36.00 in all; the SKUs before it make up 97% of COGS: class C.
    assert (lines["DESK"]["cogs"], lines["DESK"]["abc_class"]) == ("1.00", "C")
    assert (lines["IDLE"]["cogs"], lines["IDLE"]["turnover"], lines["IDLE"]["abc_class"]) == (
        "0.00",
        0.0,
        "C",
    )
    assert [line["sku"] for line in answer["items"]] == ["LAMP", "DESK", "IDLE"]
