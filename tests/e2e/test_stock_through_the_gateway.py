"""Inventory's ledger, counts, transfers and alerts, driven through the gateway only."""

from __future__ import annotations

import pytest

from erp_testing import wait_until

pytestmark = pytest.mark.e2e


def test_the_ledger_shows_who_moved_stock_and_the_request_it_came_from(system):
    system.create_stocked_product("SHELF", 6)
    answer = system.call("POST", "/warehouses", json={"code": "EAST", "name": "East"})
    assert answer.status_code == 201, answer.text
    moved = system.call(
        "POST",
        "/transfers",
        json={"sku": "SHELF", "from_warehouse": "MAIN", "to_warehouse": "EAST", "quantity": 2},
        headers={"X-Request-ID": "move-shelves-1"},
    )
    assert moved.status_code == 201, moved.text
    counted = system.call(
        "POST", "/adjustments", json={"sku": "SHELF", "quantity_delta": -1, "reason": "broken"}
    )
    assert counted.status_code == 201, counted.text

    ledger = system.call("GET", "/movements?sku=SHELF").json()
    assert [(m["kind"], m["warehouse"], m["quantity"]) for m in ledger["items"]][:3] == [
        ("adjustment", "MAIN", -1),
        ("transfer", "EAST", 2),
        ("transfer", "MAIN", -2),
    ]
    transfer = ledger["items"][1]
    assert (transfer["actor"], transfer["request_id"]) == ("admin", "move-shelves-1")
    stock = system.stock("SHELF")
    assert {w["warehouse"]: w["on_hand"] for w in stock["warehouses"]} == {"MAIN": 3, "EAST": 2}


def test_a_sku_that_runs_low_shows_in_the_reorder_alerts(system):
    system.create_stocked_product("LEDGER-LOW", 3)
    customer_id = system.create_customer()
    order = system.place_first_order(customer_id, "LEDGER-LOW", 3)
    wait_until(lambda: system.settled(order["id"]))
    alerts = system.call("GET", "/reorder-alerts").json()["items"]
    [alert] = [a for a in alerts if a["sku"] == "LEDGER-LOW"]
    assert (alert["warehouse"], alert["available"]) == ("MAIN", 0)
