"""A warehouse clerk's two daily questions: the shelf was counted, what do the books say now;
and where is the product whose name I half remember."""

from __future__ import annotations

import pytest

from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration


@pytest.fixture
def client(backend, databases):
    client = service_app("inventory", databases.new(backend)).test_client()
    for sku, name in (
        ("MUG-1", "Blue mug 蓝色马克杯"),
        ("LAMP-2", "Desk lamp"),
        ("GIFT_10", "Voucher"),
    ):
        product = {"sku": sku, "name": name, "unit_price": "9.90"}
        assert client.post("/api/v1/products", json=product, headers=bearer()).status_code == 201
        receipt = {"lines": [{"sku": sku, "quantity": 10, "unit_cost": "4.00"}]}
        assert client.post("/api/v1/receipts", json=receipt, headers=bearer()).status_code == 201
    return client


def count(client, sku, counted):
    body = {"sku": sku, "counted": counted, "reason": "monthly count"}
    return client.post("/api/v1/adjustments", json=body, headers=bearer())


def on_hand(client, sku) -> int:
    return client.get(f"/api/v1/stock/{sku}", headers=bearer()).json["on_hand"]


def test_a_count_is_entered_as_what_the_shelf_holds(client):
    fewer = count(client, "MUG-1", 7)
    assert fewer.status_code == 201, fewer.json
    assert fewer.json["quantity_delta"] == -3 and on_hand(client, "MUG-1") == 7
    more = count(client, "MUG-1", 12)
    assert more.json["quantity_delta"] == 5 and on_hand(client, "MUG-1") == 12


def test_a_count_matching_the_books_changes_nothing_and_says_so(client):
    same = count(client, "LAMP-2", 10)
    assert same.status_code == 422
    assert "matches the books" in same.json["detail"]
    assert same.json["errors"]["counted"] and on_hand(client, "LAMP-2") == 10


@pytest.mark.parametrize(
    "body",
    [
        {"sku": "MUG-1", "reason": "x"},
        {"sku": "MUG-1", "reason": "x", "counted": 3, "quantity_delta": -7},
        {"sku": "MUG-1", "reason": "x", "counted": -1},
    ],
    ids=["neither", "both", "negative count"],
)
def test_a_count_or_a_change_one_of_them(client, body):
    refused = client.post("/api/v1/adjustments", json=body, headers=bearer())
    assert refused.status_code == 422 and refused.json["errors"]
    assert on_hand(client, "MUG-1") == 10


def found(client, q):
    listed = client.get("/api/v1/stock", query_string={"q": q}, headers=bearer()).json["items"]
    return [(item["sku"], item["name"]) for item in listed]


def test_stock_is_found_by_part_of_its_name_or_sku_in_any_case(client):
    assert found(client, "MUG") == [("MUG-1", "Blue mug 蓝色马克杯")]
    assert found(client, "马克杯") == [("MUG-1", "Blue mug 蓝色马克杯")]
    assert found(client, "lamp") == [("LAMP-2", "Desk lamp")]
    assert found(client, "_") == [("GIFT_10", "Voucher")]  # a wildcard is a character here
    assert found(client, "%") == []
    assert len(found(client, "e")) == 3
