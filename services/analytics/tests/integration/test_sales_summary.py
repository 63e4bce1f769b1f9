"""The sales summary counts confirmed orders, whatever order their events arrive in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp_testing import bearer, deliver, service_app

pytestmark = pytest.mark.integration


@pytest.fixture
def app(backend, databases):
    return service_app("analytics", databases.new(backend))


def placed(order_id, quantity, price="10.00"):
    subtotal = str(quantity * Decimal(price))
    return {
        "order_id": order_id,
        "number": f"SO-{order_id}",
        "customer_id": "c-1",
        "channel": "web",
        "campaign_code": None,
        "currency": "EUR",
        "subtotal": subtotal,
        "total": subtotal,
        "lines": [{"sku": "A", "quantity": quantity, "unit_price": price}],
    }


def test_only_confirmed_orders_count_even_when_confirmation_arrives_first(app):
    deliver(app, "order.placed", placed("o-1", 2))
    deliver(app, "order.confirmed", {"order_id": "o-1"})
    deliver(app, "order.confirmed", {"order_id": "o-2"})
    deliver(app, "order.placed", placed("o-2", 1, "5.00"))
    deliver(app, "order.placed", placed("o-3", 7))
    deliver(app, "order.rejected", {"order_id": "o-3", "reason": "no stock"})
    deliver(app, "order.placed", placed("o-3", 7))  # late redelivery: o-3 stays rejected

    summary = app.test_client().get("/api/v1/analytics/summary", headers=bearer()).json
    assert (summary["revenue"], summary["orders"], summary["units"]) == ("25.00", 2, 3)
    assert summary["average_order_value"] == "12.50"
    assert summary["previous_period"]["orders"] == 0


def test_a_reversed_period_is_refused(app):
    answer = app.test_client().get(
        "/api/v1/analytics/summary?from=2026-02-01&to=2026-01-01", headers=bearer()
    )
    assert answer.status_code == 422


def test_a_stale_status_never_moves_an_order_back(app):
    deliver(app, "order.placed", placed("o-9", 1))
    deliver(app, "order.cancelled", {"order_id": "o-9"})
    deliver(app, "order.confirmed", {"order_id": "o-9"})
    summary = app.test_client().get("/api/v1/analytics/summary", headers=bearer()).json
    assert summary["orders"] == 0
