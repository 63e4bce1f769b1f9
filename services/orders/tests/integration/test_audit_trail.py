"""Every write of an order is audited: who, when, from which request, before and after."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from erp_testing import bearer
from orders.tables import audit_log

pytestmark = pytest.mark.integration


def test_placing_and_cancelling_leave_a_trail(app, client, place):
    order = place(headers={"X-Request-ID": "desk-1"}).json
    cancelled = client.post(
        f"/api/v1/orders/{order['id']}/cancel",
        json={"reason": "duplicate"},
        headers={**bearer(subject="sam"), "X-Request-ID": "desk-2"},
    )
    assert cancelled.status_code == 200
    with app.extensions["erp_engine"].connect() as conn:
        rows = conn.execute(
            select(audit_log).where(audit_log.c.entity_id == order["id"]).order_by(audit_log.c.id)
        ).all()
    assert [(r.action, r.actor, r.request_id) for r in rows] == [
        ("place", "tester", "desk-1"),
        ("cancel", "sam", "desk-2"),
    ]
    assert rows[0].before is None and rows[0].after["status"] == "pending"
    assert (rows[1].before["status"], rows[1].after["status"]) == ("pending", "cancelled")
