"""Placing an order over HTTP, and settling it on the inventory's answer."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from erp_shared.messaging import outbox
from erp_testing import bearer, deliver

pytestmark = pytest.mark.integration


def outbox_events(app, event_type):
    with app.extensions["erp_engine"].connect() as conn:
        rows = conn.execute(select(outbox.c.body).where(outbox.c.type == event_type))
        return [json.loads(row.body) for row in rows]


def test_an_order_is_priced_from_the_catalogue_and_announced(client, app, place):
    answer = place(headers={"X-Request-ID": "req-42"})
    assert answer.status_code == 201
    order = answer.json
    assert order["status"] == "pending"
    assert order["lines"] == [
        {
            "sku": "CHAIR",
            "quantity": 3,
            "unit_price": "149.00",
            "line_total": "447.00",
            "tax_rate": "0.0000",
            "tax": "0.00",
            "shipped": 0,
            "returned": 0,
        }
    ]
    assert (order["subtotal"], order["total"], order["currency"]) == ("447.00", "447.00", "EUR")
    assert [entry["status"] for entry in order["history"]] == ["pending"]
    assert order["history"][0]["at"] == order["created_at"] == order["updated_at"]
    [placed] = outbox_events(app, "order.placed")
    assert placed["data"]["order_id"] == order["id"]
    assert placed["correlation_id"] == "req-42"


def test_a_price_sent_by_the_client_is_refused(client, app, place):
    answer = place(lines=[{"sku": "CHAIR", "quantity": 1, "unit_price": "0.01"}])
    assert answer.status_code == 422
    assert "unit_price" in json.dumps(answer.json["errors"])
    assert outbox_events(app, "order.placed") == []


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"customer_id": "nobody"}, "customer_id"),
        ({"lines": [{"sku": "GHOST", "quantity": 1}]}, "lines"),
        ({"channel": "fax"}, "channel"),
        ({"lines": []}, "lines"),
    ],
)
def test_an_order_that_cannot_be_placed_writes_nothing(client, app, place, overrides, field):
    answer = place(**overrides)
    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert outbox_events(app, "order.placed") == []


def test_a_line_worth_more_than_the_system_keeps_is_refused(client, app, place):
    yacht = {"sku": "YACHT", "name": "Yacht", "unit_price": "999999999.00", "currency": "EUR"}
    deliver(app, "product.created", yacht | {"category": "boats"})
    answer = place(lines=[{"sku": "YACHT", "quantity": 2_000}])
    assert answer.status_code == 422
    assert answer.json["errors"]["lines"]["0"]["quantity"]
    assert outbox_events(app, "order.placed") == []


def test_the_inventory_answer_confirms_or_rejects_once(client, app, place):
    confirmed = place().json["id"]
    rejected = place().json["id"]
    deliver(app, "stock.reserved", {"order_id": confirmed, "lines": []}, "inventory")
    deliver(
        app,
        "stock.reservation_rejected",
        {"order_id": rejected, "reason": "insufficient stock", "lines": []},
        "inventory",
    )
    deliver(
        app,
        "stock.reservation_rejected",
        {"order_id": confirmed, "reason": "stale", "lines": []},
        "inventory",
    )

    first = client.get(f"/api/v1/orders/{confirmed}", headers=bearer()).json
    second = client.get(f"/api/v1/orders/{rejected}", headers=bearer()).json
    assert [h["status"] for h in first["history"]] == ["pending", "confirmed"]
    assert second["status"] == "rejected"
    assert second["rejection_reason"] == "insufficient stock"
    assert len(outbox_events(app, "order.confirmed")) == 1
    assert len(outbox_events(app, "order.rejected")) == 1


def test_a_retried_request_with_the_same_idempotency_key_returns_the_same_order(client, app, place):
    first = place(headers={"Idempotency-Key": "k-1"})
    again = place(headers={"Idempotency-Key": "k-1"})
    other = place(headers={"Idempotency-Key": "k-1"}, note="changed my mind")
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    assert first.json["placed_by"] == "tester"
    assert other.status_code == 409
    assert len(outbox_events(app, "order.placed")) == 1


def test_idempotency_keys_belong_to_their_caller(client, place):
    mine = place(headers={"Idempotency-Key": "1"})
    theirs = place(headers={**bearer(subject="someone-else"), "Idempotency-Key": "1"})
    assert theirs.status_code == 201
    assert theirs.json["id"] != mine.json["id"]
    assert theirs.json["placed_by"] == "someone-else"


def test_an_overlong_idempotency_key_is_refused(client, place):
    answer = place(headers={"Idempotency-Key": "k" * 201})
    assert answer.status_code == 422
    assert "Idempotency-Key" in answer.json["errors"]


def test_order_numbers_have_no_gaps(client, place):
    numbers = [place().json["number"] for _ in range(3)]
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3]


def test_an_unknown_order_is_not_found(client, place):
    answer = client.get("/api/v1/orders/nope", headers=bearer())
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"


def test_the_shipping_address_and_note_are_kept_with_the_order(client, place):
    address = {"line1": "1 Main St", "city": "Leeds", "postal_code": "LS1", "country": "GB"}
    order = place(shipping_address=address, note="leave at the door").json
    assert order["shipping_address"] == address
    assert order["note"] == "leave at the door"
    assert place(shipping_address={**address, "country": "gb"}).status_code == 422


def test_a_blocked_customer_or_a_discontinued_product_cannot_be_ordered(app, place):
    product = {"sku": "OLD", "name": "Old", "unit_price": "1.00", "currency": "EUR"}
    deliver(app, "product.updated", product | {"active": False})
    assert "lines" in place(lines=[{"sku": "OLD", "quantity": 1}]).json["errors"]
    customer = {"customer_id": "cust-1", "name": "Ada", "email": "ada@example.com"}
    deliver(app, "customer.updated", customer | {"blocked": True})
    answer = place()
    assert answer.status_code == 422
    assert answer.json["errors"] == {"customer_id": ["cust-1 is blocked."]}
