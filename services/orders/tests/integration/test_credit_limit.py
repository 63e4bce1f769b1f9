"""An order beyond the customer's credit limit is rejected with the reason; a user with the
admin can let it through, nobody else can."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from erp_shared.messaging import outbox
from erp_testing import bearer, deliver

pytestmark = pytest.mark.integration


@pytest.fixture
def credit_limit() -> str:
    return "1000.00"


def placed_events(app) -> list[str]:
    with app.extensions["erp_engine"].connect() as conn:
        rows = conn.scalars(select(outbox.c.body).where(outbox.c.type == "order.placed"))
        return [json.loads(body)["data"]["order_id"] for body in rows]


def test_an_order_over_the_limit_waits_for_an_authorised_approval(
    app, client, confirmed_order, place
):
    first = confirmed_order()  # 3 chairs: 447.00 of 1000.00
    second = place().json  # 447.00 more: 894.00, still within
    over = place().json  # 1341.00 > 1000.00
    assert (first["status"], second["status"]) == ("pending", "pending")
    assert over["status"] == "rejected"
    assert over["rejection_reason"] == (
        "credit limit exceeded: 894.00 open + 447.00 this order > 1000.00 allowed"
    )
    assert over["id"] not in placed_events(app)  # inventory never heard of it

    url = f"/api/v1/orders/{over['id']}/approve"
    refused = client.post(url, headers=bearer(roles=["sales"], subject="sam"))
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    approved = client.post(url, headers=bearer(roles=["admin"], subject="boss"))
    assert approved.status_code == 200
    assert (approved.json["status"], approved.json["approved_by"]) == ("pending", "boss")
    assert over["id"] in placed_events(app)

    deliver(app, "stock.reserved", {"order_id": over["id"], "lines": []}, "inventory")
    order = client.get(f"/api/v1/orders/{over['id']}", headers=bearer()).json
    assert order["status"] == "confirmed"
    assert [(h["status"], h["actor"]) for h in order["history"]] == [
        ("pending", "tester"),
        ("rejected", "tester"),
        ("pending", "boss"),
        ("confirmed", "inventory:stock.reserved"),
    ]
    assert client.post(url, headers=bearer()).status_code == 409  # nothing left to approve


def test_paying_an_invoice_frees_credit(app, client, confirmed_order, place):
    order = confirmed_order(lines=[{"sku": "CHAIR", "quantity": 6}])  # 894.00
    shipped = client.post(f"/api/v1/orders/{order['id']}/ship", json={}, headers=bearer()).json
    assert place().json["status"] == "rejected"  # 894 + 447 > 1000
    paid = client.post(f"/api/v1/invoices/{shipped['invoice_id']}/pay", headers=bearer())
    assert paid.status_code == 200 and paid.json["paid_at"]
    assert place().json["status"] == "pending"
