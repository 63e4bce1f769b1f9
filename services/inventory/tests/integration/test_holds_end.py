"""Stock held for an order goes back when the order ends without shipping: cancelled or
rejected at once, never confirmed after the hold time. The order side is told either way."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from erp_shared.messaging import outbox
from erp_shared.uow import UnitOfWork
from erp_testing import bearer, deliver, service_app
from inventory.reservations.service import expire_holds

pytestmark = pytest.mark.integration


@pytest.fixture
def app(backend, databases):
    app = service_app("inventory", databases.new(backend))
    client = app.test_client()
    product = {"sku": "CUP", "name": "Cup", "unit_price": "4.00"}
    assert client.post("/api/v1/products", json=product, headers=bearer()).status_code == 201
    line = {"sku": "CUP", "quantity": 10, "unit_cost": "1.00"}
    assert (
        client.post("/api/v1/receipts", json={"lines": [line]}, headers=bearer()).status_code == 201
    )
    return app


def place(app, order_id, quantity):
    deliver(
        app,
        "order.placed",
        {
            "order_id": order_id,
            "number": f"SO-{order_id}",
            "customer_id": "c-1",
            "channel": "web",
            "lines": [{"sku": "CUP", "quantity": quantity, "unit_price": "4.00"}],
            "subtotal": "4.00",
            "total": "4.00",
            "currency": "EUR",
        },
    )


def reserved(app) -> int:
    return app.test_client().get("/api/v1/stock/CUP", headers=bearer()).json["reserved"]


def released(app) -> list[dict]:
    with app.extensions["erp_engine"].connect() as conn:
        bodies = conn.scalars(select(outbox.c.body).where(outbox.c.type == "stock.released"))
        return [json.loads(body)["data"] for body in bodies]


def sweep(app, hold_time) -> int:
    with UnitOfWork(app.extensions["erp_engine"], "inventory") as uow:
        return expire_holds(uow, hold_time)


def test_an_unconfirmed_hold_expires_and_a_confirmed_one_stays(app):
    place(app, "waits", 2)
    place(app, "confirmed", 3)
    deliver(app, "order.confirmed", {"order_id": "confirmed"})
    assert sweep(app, timedelta(minutes=30)) == 0  # not old enough yet
    assert reserved(app) == 5

    assert sweep(app, timedelta(0)) == 1
    assert reserved(app) == 3
    assert released(app) == [{"order_id": "waits", "reason": "expired"}]
    assert sweep(app, timedelta(0)) == 0  # nothing twice


def test_a_cancelled_or_rejected_order_gives_its_stock_back_once(app):
    place(app, "cancelled", 4)
    place(app, "rejected-by-credit", 1)
    deliver(app, "order.cancelled", {"order_id": "cancelled", "reason": "changed mind"})
    deliver(app, "order.rejected", {"order_id": "rejected-by-credit", "reason": "credit"})
    deliver(app, "order.cancelled", {"order_id": "cancelled"})  # a second cancel: nothing
    assert reserved(app) == 0
    assert sorted(r["order_id"] for r in released(app)) == ["cancelled", "rejected-by-credit"]


def test_an_order_rejected_for_want_of_stock_releases_nothing(app):
    place(app, "too-big", 11)
    deliver(app, "order.rejected", {"order_id": "too-big", "reason": "insufficient stock"})
    assert released(app) == []
    assert reserved(app) == 0


def test_holds_of_one_sku_expiring_in_one_sweep_all_go_back(app):
    place(app, "first", 2)
    place(app, "second", 3)
    assert sweep(app, timedelta(0)) == 2
    assert reserved(app) == 0
    assert sorted(r["order_id"] for r in released(app)) == ["first", "second"]
