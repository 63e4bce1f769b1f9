"""RFM scores and segments for a worked example match the hand computation, and a segment
that changes reaches the CRM as customer.segment_changed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from analytics.rfm.service import assign_segments
from erp_shared.events import parse_event
from erp_shared.messaging import outbox
from erp_shared.uow import UnitOfWork
from erp_testing import bearer, deliver, service_app

pytestmark = pytest.mark.integration


def bought(app, customer_id, days_ago, revenue):
    at = datetime.now(UTC) - timedelta(days=days_ago)
    order_id = str(uuid.uuid4())
    placed = {
        "order_id": order_id,
        "number": order_id,
        "customer_id": customer_id,
        "channel": "web",
        "lines": [{"sku": "A", "quantity": 1, "unit_price": revenue}],
        "subtotal": revenue,
        "total": revenue,
        "currency": "EUR",
    }
    deliver(app, "order.confirmed", {**placed, "placed_at": at}, "orders", occurred_at=at)


def test_a_worked_example_and_its_segments_reaching_the_crm(backend, databases):
    analytics = service_app("analytics", databases.new(backend))
    crm = service_app("crm", databases.new(backend))
    ids = {}
    for name in ("c1", "c2", "c3", "c4", "c5"):
        answer = crm.test_client().post(
            "/api/v1/customers",
            json={"name": name, "email": f"{name}@example.com"},
            headers=bearer(),
        )
        ids[name] = answer.json["id"]
    for days in (3, 20, 60):
        bought(analytics, ids["c1"], days, "100.00")
    bought(analytics, ids["c2"], 6, "50.00")
    for days in (153, 170, 200, 230):
        bought(analytics, ids["c3"], days, "200.00")
    bought(analytics, ids["c4"], 259, "20.00")
    for days in (30, 40):
        bought(analytics, ids["c5"], days, "60.00")

    answer = analytics.test_client().get("/api/v1/analytics/customers/rfm", headers=bearer())
    got = {item["customer_id"]: item for item in answer.json["items"]}
    # Recency 3, 6, 30, 153, 259 days: R = 5, 4, 3, 2, 1 (c1, c2, c5, c3, c4).
    # Frequency 3, 1, 4, 1, 2: F = 4, 2, 5, 2, 3 (the two single orders tie, three are better:
    # 5 - floor(5 * 3 / 5) = 2). Monetary 300, 50, 800, 20, 120: M = 4, 2, 5, 1, 3.
    expected = {
        "c1": (3, 3, "300.00", 5, 4, 4, "champions"),
        "c2": (6, 1, "50.00", 4, 2, 2, "new"),
        "c3": (153, 4, "800.00", 2, 5, 5, "at_risk"),
        "c4": (259, 1, "20.00", 1, 2, 1, "hibernating"),
        "c5": (30, 2, "120.00", 3, 3, 3, "loyal"),
    }
    for name, (days, orders, spent, r, f, m, segment) in expected.items():
        item = got[ids[name]]
        assert (item["recency_days"], item["frequency"], item["monetary"]) == (days, orders, spent)
        assert (item["r"], item["f"], item["m"], item["segment"]) == (r, f, m, segment), name

    with UnitOfWork(analytics.extensions["erp_engine"], "analytics") as uow:
        assert assign_segments(uow) == 5
    with UnitOfWork(analytics.extensions["erp_engine"], "analytics") as uow:
        assert assign_segments(uow) == 0  # announced once
    with analytics.extensions["erp_engine"].connect() as conn:
        bodies = conn.scalars(
            select(outbox.c.body).where(outbox.c.type == "customer.segment_changed")
        ).all()
    assert len(bodies) == 5
    for body in bodies:  # what the relay would publish, as the CRM's consumer receives it
        event = parse_event(json.loads(body))
        deliver(crm, event.type, event.data, "analytics")
    champion = crm.test_client().get(f"/api/v1/customers/{ids['c1']}", headers=bearer()).json
    assert champion["segment"] == "champions"
