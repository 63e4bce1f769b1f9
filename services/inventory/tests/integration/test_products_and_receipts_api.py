"""The catalogue and goods receipt as a client of the inventory API sees them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from erp_shared.messaging import outbox
from erp_testing import bearer, service_app
from inventory.stock import db

pytestmark = pytest.mark.integration


@pytest.fixture
def app(backend, databases):
    return service_app("inventory", databases.new(backend))


@pytest.fixture
def client(app):
    return app.test_client()


def create_product(client, sku="LAMP", **extra):
    return client.post(
        "/api/v1/products",
        headers=bearer(),
        json={"sku": sku, "name": "Desk lamp", "unit_price": "19.90", **extra},
    )


def test_a_new_product_is_announced_and_its_sku_cannot_be_reused(client, app):
    created = create_product(client)
    assert created.status_code == 201
    assert created.json["unit_price"] == "19.90" and created.json["currency"] == "EUR"
    again = create_product(client)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    with app.extensions["erp_engine"].connect() as conn:
        assert [r.type for r in conn.execute(select(outbox.c.type))] == ["product.created"]


def test_unknown_fields_and_bad_values_are_refused_with_a_field_map(client):
    answer = create_product(client, colour="red", unit_price="-1")
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"colour", "unit_price"}


@pytest.mark.parametrize("price", ["12.345", "-1", "1e20", "NaN"])
def test_a_price_is_never_rounded_or_out_of_range_silently(client, price):
    answer = create_product(client, unit_price=price)
    assert answer.status_code == 422
    assert "unit_price" in answer.json["errors"]


def test_received_lots_show_in_stock_oldest_first_and_match_the_ledger(client, app):
    create_product(client)
    for quantity, cost, at in (
        (4, "5.00", "2026-01-02T00:00:00Z"),
        (6, "6.00", "2026-01-01T00:00:00Z"),
    ):
        answer = client.post(
            "/api/v1/receipts",
            headers=bearer(),
            json={
                "received_at": at,
                "lines": [{"sku": "LAMP", "quantity": quantity, "unit_cost": cost}],
            },
        )
        assert answer.status_code == 201
    stock = client.get("/api/v1/stock/LAMP", headers=bearer()).json
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (10, 0, 10)
    assert [(lot["quantity"], lot["unit_cost"]) for lot in stock["lots"]] == [
        (6, "6.00"),
        (4, "5.00"),
    ]
    with app.extensions["erp_engine"].connect() as conn:
        assert db.ledger_balance(conn, "LAMP", "MAIN") == stock["on_hand"]


def test_a_receipt_for_an_unknown_product_writes_nothing(client):
    answer = client.post(
        "/api/v1/receipts",
        headers=bearer(),
        json={"lines": [{"sku": "GHOST", "quantity": 1, "unit_cost": "1.00"}]},
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"lines": {"0": {"sku": ["Unknown SKU GHOST."]}}}


def test_every_api_call_needs_a_valid_token(client):
    assert client.get("/api/v1/stock/LAMP").status_code == 401
    assert (
        client.get("/api/v1/stock/LAMP", headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )


def test_a_receipt_retried_with_its_idempotency_key_is_received_once(client):
    create_product(client)
    receipt = {"lines": [{"sku": "LAMP", "quantity": 5, "unit_cost": "4.00", "lot": "L-1"}]}
    headers = {**bearer(), "Idempotency-Key": "delivery-note-881"}
    first = client.post("/api/v1/receipts", headers=headers, json=receipt)
    again = client.post("/api/v1/receipts", headers=headers, json=receipt)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert client.get("/api/v1/stock/LAMP", headers=bearer()).json["on_hand"] == 5


def test_a_product_created_again_with_the_same_key_answers_the_first_creation(client):
    headers = {"Idempotency-Key": "new-lamp"}
    first = client.post(
        "/api/v1/products",
        headers={**bearer(), **headers},
        json={"sku": "LAMP", "name": "Desk lamp", "unit_price": "19.90"},
    )
    again = client.post(
        "/api/v1/products",
        headers={**bearer(), **headers},
        json={"sku": "LAMP", "name": "Desk lamp", "unit_price": "19.90"},
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json
