"""An order's whole life through the gateway: placed, confirmed, shipped in two parts with an
invoice each, delivered, one unit refunded and one exchanged."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from erp_testing import wait_until

pytestmark = pytest.mark.e2e


def ok(answer, status=200):
    assert answer.status_code == status, answer.text
    return answer.json()


def test_place_ship_in_two_parts_deliver_refund_and_exchange(system):
    system.create_stocked_product("KETTLE", 10, price="40.00")
    customer_id = system.create_customer()
    order = system.place_first_order(customer_id, "KETTLE", 4)
    confirmed = wait_until(lambda: system.settled(order["id"]))
    assert confirmed["status"] == "confirmed"
    assert system.stock("KETTLE")["reserved"] == 4

    first = ok(
        system.call(
            "POST",
            f"/orders/{order['id']}/ship",
            json={
                "carrier": "DHL",
                "tracking_number": "JD0001",
                "lines": [{"sku": "KETTLE", "quantity": 3}],
            },
        )
    )
    invoice = ok(system.call("GET", f"/invoices/{first['invoice_id']}"))
    assert (invoice["kind"], invoice["lines"][0]["quantity"], invoice["total"]) == (
        "invoice",
        3,
        "120.00",
    )
    second = ok(system.call("POST", f"/orders/{order['id']}/ship", json={}))
    assert second["invoice_id"] != first["invoice_id"]
    tracked = ok(system.call("GET", f"/orders/{order['id']}"))
    assert tracked["status"] == "shipped"
    assert [s["tracking_number"] for s in tracked["shipments"]] == ["JD0001", None]
    assert len(tracked["invoices"]) == 2
    wait_until(lambda: system.stock("KETTLE")["on_hand"] == 6)  # issued oldest lots first
    ok(system.call("POST", f"/orders/{order['id']}/deliver"))

    refund = ok(
        system.call(
            "POST",
            "/returns",
            json={
                "order_id": order["id"],
                "resolution": "refund",
                "lines": [{"sku": "KETTLE", "quantity": 1, "reason": "dented"}],
            },
        ),
        201,
    )
    received = ok(
        system.call(
            "POST",
            f"/returns/{refund['id']}/receive",
            json={"lines": [{"sku": "KETTLE", "quantity": 1, "condition": "resellable"}]},
        )
    )
    credit = ok(system.call("GET", f"/invoices/{received['credit_note_id']}"))
    unit_price, tax = Decimal("40.00"), Decimal(credit["lines"][0]["tax"])
    assert credit["kind"] == "credit_note"
    assert Decimal(credit["total"]) == unit_price + tax
    assert credit["lines"][0]["original_invoice_id"] in (first["invoice_id"], second["invoice_id"])
    wait_until(lambda: system.stock("KETTLE")["on_hand"] == 7)  # restocked

    exchange = ok(
        system.call(
            "POST",
            "/returns",
            json={
                "order_id": order["id"],
                "resolution": "exchange",
                "lines": [{"sku": "KETTLE", "quantity": 1}],
            },
        ),
        201,
    )
    swapped = ok(
        system.call(
            "POST",
            f"/returns/{exchange['id']}/receive",
            json={"lines": [{"sku": "KETTLE", "quantity": 1, "condition": "damaged"}]},
        )
    )
    replacement = wait_until(lambda: system.settled(swapped["replacement_order_id"]))
    assert replacement["status"] == "confirmed"
    assert (replacement["total"], replacement["replaces_return_id"]) == ("0.00", exchange["id"])
    assert system.stock("KETTLE")["reserved"] == 1  # the replacement's unit is held


def test_the_live_feed_reaches_the_client_through_the_gateway(system):
    system.create_stocked_product("FEED", 2)
    customer_id = system.create_customer()
    order = system.place_first_order(customer_id, "FEED", 1)
    wait_until(lambda: system.settled(order["id"]))
    ok(system.call("POST", f"/orders/{order['id']}/cancel", json={}))
    answer = system.call("GET", f"/orders/{order['id']}/events")
    assert answer.headers["Content-Type"].startswith("text/event-stream")
    statuses = [
        json.loads(line.removeprefix("data: "))["status"]
        for line in answer.text.splitlines()
        if line.startswith("data: ")
    ]
    assert statuses == ["pending", "confirmed", "cancelled"]
