"""An orders app on a fresh database whose replicas know a customer and two products, and the
steps of an order's life that arrive as events from inventory."""

from __future__ import annotations

import pytest

from erp_testing import bearer, deliver, service_app


def seed_replicas(app, credit_limit=None) -> None:
    customer = {"customer_id": "cust-1", "name": "Ada", "email": "ada@example.com", "tags": []}
    deliver(app, "customer.registered", customer | {"credit_limit": credit_limit})
    for sku, price, category in (("CHAIR", "149.00", "furniture"), ("PEN", "1.99", "office")):
        product = {"sku": sku, "name": sku, "unit_price": price, "currency": "EUR"}
        deliver(app, "product.created", product | {"category": category})


@pytest.fixture
def credit_limit() -> str | None:
    """cust-1's credit limit; a test module overrides this fixture to set one."""
    return None


@pytest.fixture
def app(backend, databases, credit_limit):
    app = service_app("orders", databases.new(backend))
    seed_replicas(app, credit_limit)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def place(client):
    """Place an order over HTTP: 3 chairs for cust-1 unless told otherwise."""

    def place(headers=None, **overrides):
        body = {
            "customer_id": "cust-1",
            "channel": "web",
            "lines": [{"sku": "CHAIR", "quantity": 3}],
        }
        body.update(overrides)
        return client.post("/api/v1/orders", json=body, headers={**bearer(), **(headers or {})})

    return place


@pytest.fixture
def confirmed_order(app, place):
    """Place an order and have inventory reserve it."""

    def confirmed(**overrides) -> dict:
        order = place(**overrides).json
        deliver(app, "stock.reserved", {"order_id": order["id"], "lines": []}, "inventory")
        return order

    return confirmed
