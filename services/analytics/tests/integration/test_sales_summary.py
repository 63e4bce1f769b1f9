"""The sales summary counts confirmed orders, whatever order their events arrive in."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from analytics.handlers import HANDLERS
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


def settled(order_id, quantity, price="10.00"):
    """An order.<status> payload as orders sends it: the order itself and when it was placed."""
    return {**placed(order_id, quantity, price), "placed_at": datetime.now(UTC)}


def test_only_confirmed_orders_count_once_whatever_arrives_twice(app):
    deliver(app, "order.confirmed", settled("o-1", 2))
    deliver(app, "order.confirmed", settled("o-1", 2))  # redelivered
    deliver(app, "order.confirmed", settled("o-2", 1, "5.00"))
    deliver(app, "order.rejected", settled("o-3", 7) | {"reason": "no stock"})
    deliver(app, "order.confirmed", {"order_id": "o-3"})  # stale: o-3 stays rejected

    summary = app.test_client().get("/api/v1/analytics/summary", headers=bearer()).json
    assert (summary["revenue"], summary["orders"], summary["units"]) == ("25.00", 2, 3)
    assert summary["average_order_value"] == "12.50"
    assert summary["previous_period"]["orders"] == 0


def test_analytics_takes_no_pending_order(app):
    """A pending order counts in no figure, so analytics does not take order.placed at all:
    its queue is not bound to it, and a stray delivery changes nothing."""
    assert "order.placed" not in HANDLERS
    deliver(app, "order.placed", placed("o-5", 3))
    summary = app.test_client().get("/api/v1/analytics/summary", headers=bearer()).json
    assert summary["orders"] == 0


def test_a_reversed_period_is_refused(app):
    answer = app.test_client().get(
        "/api/v1/analytics/summary?from=2026-02-01&to=2026-01-01", headers=bearer()
    )
    assert answer.status_code == 422


def test_a_stale_status_never_moves_an_order_back(app):
    deliver(app, "order.cancelled", settled("o-9", 1))
    deliver(app, "order.confirmed", settled("o-9", 1))
    summary = app.test_client().get("/api/v1/analytics/summary", headers=bearer()).json
    assert summary["orders"] == 0
