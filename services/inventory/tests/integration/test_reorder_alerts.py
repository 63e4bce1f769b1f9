"""A buyer hears once each time a SKU falls to its reorder point, however many orders take it
there together, and sees every low SKU with what to order."""

from __future__ import annotations

import itertools
import json
import threading

import pytest
from sqlalchemy import select

from erp_shared.messaging import outbox
from erp_testing import bearer, deliver, service_app

pytestmark = pytest.mark.integration
_orders = itertools.count()


@pytest.fixture
def app(backend, databases):
    return service_app("inventory", databases.new(backend))


@pytest.fixture
def client(app):
    client = app.test_client()
    product = {
        "sku": "BULB",
        "name": "Bulb",
        "unit_price": "3.00",
        "reorder_point": 5,
        "reorder_quantity": 20,
        "lead_time_days": 4,
    }
    assert client.post("/api/v1/products", json=product, headers=bearer()).status_code == 201
    return client


def receive(client, quantity):
    line = {"sku": "BULB", "quantity": quantity, "unit_cost": "1.00"}
    answer = client.post("/api/v1/receipts", json={"lines": [line]}, headers=bearer())
    assert answer.status_code == 201


def concurrent_orders(app, count) -> list[str]:
    """Place `count` one-bulb orders at once; their ids."""
    start = threading.Barrier(count)
    numbers = [next(_orders) for _ in range(count)]

    def order(n):
        start.wait()
        deliver(
            app,
            "order.placed",
            {
                "order_id": f"o-{n}",
                "number": f"SO-{n}",
                "customer_id": "c-1",
                "channel": "web",
                "lines": [{"sku": "BULB", "quantity": 1, "unit_price": "3.00"}],
                "subtotal": "3.00",
                "total": "3.00",
                "currency": "EUR",
            },
        )

    threads = [threading.Thread(target=order, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [f"o-{n}" for n in numbers]


def low_alerts(app):
    with app.extensions["erp_engine"].connect() as conn:
        bodies = conn.scalars(select(outbox.c.body).where(outbox.c.type == "stock.low"))
        return [json.loads(body)["data"] for body in bodies]


def test_stock_low_is_said_once_per_crossing_under_concurrent_orders(app, client):
    receive(client, 10)
    concurrent_orders(app, 12)  # 10 reserved, 2 refused; available 10 -> 0
    [first] = low_alerts(app)
    assert (first["sku"], first["warehouse"], first["reorder_point"]) == ("BULB", "MAIN", 5)
    assert first["available"] == 5 and first["suggested_quantity"] == 20

    receive(client, 20)  # available 20: above the reorder point again
    concurrent_orders(app, 16)  # available 20 -> 4: a second crossing
    assert len(low_alerts(app)) == 2


def test_every_low_sku_is_listed_with_what_to_order(app, client):
    receive(client, 7)
    alerts = client.get("/api/v1/reorder-alerts", headers=bearer()).json
    assert alerts["total"] == 0

    concurrent_orders(app, 3)  # available 4
    alerts = client.get("/api/v1/reorder-alerts", headers=bearer()).json
    [alert] = alerts["items"]
    assert (alert["sku"], alert["warehouse"], alert["available"]) == ("BULB", "MAIN", 4)
    assert (alert["reorder_point"], alert["suggested_quantity"]) == (5, 20)
    assert (alerts["page"], alerts["per_page"], alerts["total"]) == (1, 50, 1)

    # A warehouse's own reorder settings replace the product's at once.
    policy = {"reorder_point": 30, "reorder_quantity": 10, "lead_time_days": 2}
    answer = client.put("/api/v1/products/BULB/reorder/MAIN", json=policy, headers=bearer())
    assert answer.status_code == 200
    [alert] = client.get("/api/v1/reorder-alerts", headers=bearer()).json["items"]
    assert (alert["reorder_point"], alert["suggested_quantity"]) == (30, 27)
    below = client.get("/api/v1/stock?below_reorder=true", headers=bearer()).json
    assert [item["sku"] for item in below["items"]] == ["BULB"]


def test_the_demand_based_reorder_point_comes_from_what_was_issued(app, client):
    receive(client, 50)
    for order_id in concurrent_orders(app, 6):
        shipped = {"order_id": order_id, "lines": [{"sku": "BULB", "quantity": 1}]}
        deliver(app, "order.shipped", shipped)
    policy = {"reorder_point": 50, "reorder_quantity": 10, "lead_time_days": 4}
    client.put("/api/v1/products/BULB/reorder/MAIN", json=policy, headers=bearer())
    [alert] = client.get("/api/v1/reorder-alerts", headers=bearer()).json["items"]
    # 6 units issued today, none on the 89 days before: mean 6/90 a day over 4 days, plus a
    # safety stock of z(95%) * sigma * sqrt(4) = 1.645 * 0.629 * 2 = 2.07 -> 3.
    assert alert["safety_stock"] == 3
    assert alert["demand_based_reorder_point"] == 4


def test_two_lines_of_one_receipt_see_each_other_and_low_is_said_once(app, client):
    lines = [{"sku": "BULB", "quantity": 2, "unit_cost": "1.00"} for _ in range(2)]
    answer = client.post("/api/v1/receipts", json={"lines": lines}, headers=bearer())
    assert answer.status_code == 201
    assert [alert["available"] for alert in low_alerts(app)] == [2]
    stock = client.get("/api/v1/stock/BULB", headers=bearer()).json
    assert (stock["on_hand"], len(stock["lots"])) == (4, 2)
