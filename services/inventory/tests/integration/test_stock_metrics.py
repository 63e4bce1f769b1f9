"""Operations see on /metrics when orders are refused for lack of stock and when a shelf runs
empty (the stock-out alert and the business dashboard read these)."""

from __future__ import annotations

import itertools

import pytest

from erp_testing import bearer, deliver, service_app
from erp_testing.scrape import sample

pytestmark = pytest.mark.integration
_orders = itertools.count()


@pytest.fixture
def client(app):
    client = app.test_client()
    product = {"sku": "LAMP", "name": "Lamp", "unit_price": "30.00"}
    assert client.post("/api/v1/products", json=product, headers=bearer()).status_code == 201
    line = {"sku": "LAMP", "quantity": 3, "unit_cost": "10.00"}
    assert client.post("/api/v1/receipts", json={"lines": [line]}, headers=bearer()).status_code
    return client


@pytest.fixture
def app(backend, databases):
    return service_app("inventory", databases.new(backend))


def order_lamps(app, quantity: int) -> None:
    n = next(_orders)
    order = {
        "order_id": f"metrics-{n}",
        "number": f"SO-M{n}",
        "customer_id": "c-1",
        "channel": "web",
        "lines": [{"sku": "LAMP", "quantity": quantity, "unit_price": "30.00"}],
        "subtotal": "30.00",
        "total": "30.00",
        "currency": "EUR",
    }
    deliver(app, "order.placed", order, "orders")


def test_an_order_short_of_stock_counts_as_a_reservation_conflict(app, client):
    before = sample(client, "erp_reservation_conflicts_total", service="inventory")

    order_lamps(app, 5)
    order_lamps(app, 1)

    assert sample(client, "erp_reservation_conflicts_total", service="inventory") == before + 1


def test_the_last_units_held_count_one_stock_out(app, client):
    def stock_outs():
        return sample(client, "erp_stockouts_total", service="inventory", warehouse="MAIN")

    before = stock_outs()

    order_lamps(app, 2)
    assert stock_outs() == before
    order_lamps(app, 1)
    order_lamps(app, 1)  # refused: nothing left, and no second stock-out

    assert stock_outs() == before + 1
