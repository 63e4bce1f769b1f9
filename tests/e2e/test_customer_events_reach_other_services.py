"""What the CRM decides about a customer reaches the other services through events: a blocked
customer's new order is refused at intake, and after an erasure no service returns anything
personal about them, while the sales figures stay as they were."""

from __future__ import annotations

import sqlite3

import pytest

from erp_testing import wait_until

pytestmark = pytest.mark.e2e

ADDRESS = {"line1": "12 Analytical Row", "city": "London", "postal_code": "N1", "country": "GB"}


def test_blocking_and_erasure_reach_orders_and_analytics(system):
    system.create_stocked_product("ERASE-ME", 10)
    answer = system.call(
        "POST",
        "/customers",
        json={
            "name": "Grace Hopper",
            "email": "grace@example.com",
            "phone": "+1 555 0100",
            "company": "Navy",
            "addresses": [{"kind": "shipping", **ADDRESS}],
        },
    )
    assert answer.status_code == 201, answer.text
    customer_id = answer.json()["id"]
    order = system.place_first_order(customer_id, "ERASE-ME", 2)
    wait_until(lambda: system.settled(order["id"]))
    placed = system.call(
        "POST",
        "/orders",
        json={
            "customer_id": customer_id,
            "channel": "web",
            "shipping_address": ADDRESS,
            "lines": [{"sku": "ERASE-ME", "quantity": 1}],
        },
    ).json()
    wait_until(lambda: system.settled(placed["id"]))

    assert (
        system.call("PATCH", f"/customers/{customer_id}", json={"blocked": True}).status_code == 200
    )
    refused = wait_until(
        lambda: (r := system.place_order(customer_id, "ERASE-ME", 1)).status_code == 422 and r,
        timeout=15,
    )
    assert refused.json()["errors"] == {"customer_id": [f"{customer_id} is blocked."]}
    # Orders placed while the block travelled went through; once all are decided and
    # analytics has counted them, its figures are the baseline erasure must not change.
    mine = system.call("GET", f"/orders?customer_id={customer_id}&per_page=200").json()["items"]
    decided = system.decisions([o["id"] for o in mine])
    before = wait_until(
        lambda: (
            (s := system.call("GET", "/analytics/summary").json())["orders"]
            == decided.count("confirmed")
            and s
        )
    )

    erased = system.call("POST", f"/customers/{customer_id}/erase").json()
    assert (erased["name"], erased["phone"], erased["company"], erased["addresses"]) == (
        "erased",
        None,
        None,
        [],
    )
    assert "grace" not in erased["email"]
    found = system.call("GET", "/customers?q=grace").json()
    assert found["total"] == 0

    def orders_replica_name():
        with sqlite3.connect(system.var_dir / "orders.db") as db:
            row = db.execute("SELECT name FROM customers WHERE id = ?", (customer_id,)).fetchone()
        return row[0]

    wait_until(lambda: orders_replica_name() == "erased", timeout=15)
    assert system.order(placed["id"])["shipping_address"] is None
    after = system.call("GET", "/analytics/summary").json()
    assert (after["revenue"], after["orders"]) == (before["revenue"], before["orders"])
