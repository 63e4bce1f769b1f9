"""A CRM app on a fresh database, and orders as the CRM hears of them."""

from __future__ import annotations

from datetime import datetime

import pytest

from erp_testing import bearer, deliver, service_app


@pytest.fixture
def app(backend, databases):
    return service_app("crm", databases.new(backend))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def customer(client):
    """Register a customer; returns its id."""

    def register(name="Ada Lovelace", email=None, **details):
        address = email or f"{name.lower().replace(' ', '.')}@example.com"
        body = {"name": name, "email": address}
        answer = client.post("/api/v1/customers", json=body | details, headers=bearer())
        assert answer.status_code == 201, answer.json
        return answer.json["id"]

    return register


@pytest.fixture
def order_event(app):
    """Tell the CRM an order was placed (and moved to `status`) at a given time."""

    def happened(order_id, customer_id, at: datetime, subtotal="10.00", code=None, status=None):
        placed = {
            "order_id": order_id,
            "number": f"SO-{order_id}",
            "customer_id": customer_id,
            "channel": "web",
            "campaign_code": code,
            "lines": [{"sku": "A", "quantity": 1, "unit_price": subtotal}],
            "subtotal": subtotal,
            "total": subtotal,
            "currency": "EUR",
        }
        deliver(app, "order.placed", placed, "orders", occurred_at=at)
        if status:
            deliver(app, f"order.{status}", {"order_id": order_id}, "orders", occurred_at=at)

    return happened
