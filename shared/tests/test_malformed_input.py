"""What no client should send is a 4xx problem+json, never a 500: money spelt any way but the
documented one (an exponent, NaN, Infinity, spaces, other digits) and a JSON body nested
deeper than Python's parser can go, whichever of the app's readers meets it."""

from __future__ import annotations

import pytest

from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration

DEEP = 100_000


@pytest.fixture(scope="module")
def inventory(tmp_path_factory):
    database = tmp_path_factory.mktemp("inventory") / "inventory.db"
    return service_app("inventory", f"sqlite:///{database}").test_client()


@pytest.fixture(scope="module")
def analytics(tmp_path_factory):
    database = tmp_path_factory.mktemp("analytics") / "analytics.db"
    return service_app("analytics", f"sqlite:///{database}").test_client()


def create_product(client, sku: str, unit_price):
    body = {"sku": sku, "name": "Desk lamp", "unit_price": unit_price}
    return client.post("/api/v1/products", headers=bearer(), json=body)


@pytest.mark.parametrize(
    "price",
    [
        "1e30",
        "1e2",
        "1E+2",
        "0e0",
        "NaN",
        "-NaN",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        " 1.00",
        "1.00\n",
        "1_000",
        "\uff11\uff12",  # full-width digits, which Decimal() reads as 12
        "-0.00",
        "0000000000001",
        "1000000000000",
        "9" * 40,
        "1.001",
        1e30,
        12,
    ],
)
def test_a_price_not_written_as_documented_is_422_naming_the_field(inventory, price):
    answer = create_product(inventory, "LAMP-BAD", price)
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/problem+json"
    assert list(answer.json["errors"]) == ["unit_price"]


@pytest.mark.parametrize("price", ["0", "19.9", "19.90", "999999999999.99"])
def test_a_price_written_as_documented_is_taken_as_it_is(inventory, price):
    answer = create_product(inventory, f"LAMP-{price}", price)
    assert answer.status_code == 201, answer.json
    assert answer.json["unit_price"] == f"{float(price):.2f}"


def deep_json(depth: int = DEEP) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products",  # read by webargs' own json.loads
        "/api/v1/receipts",
    ],
)
def test_a_json_body_nested_too_deep_is_400_for_a_route_with_a_schema(inventory, path):
    headers = {**bearer(), "Content-Type": "application/json"}
    answer = inventory.post(path, data=deep_json(), headers=headers)
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/problem+json"
    assert "nested" in answer.json["detail"]


def test_a_json_body_nested_too_deep_is_400_where_the_view_reads_it_itself(analytics):
    headers = {**bearer(), "Content-Type": "application/json"}
    answer = analytics.post("/api/v1/analytics/history", data=deep_json(), headers=headers)
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/problem+json"


def test_a_recursion_of_the_server_own_is_still_a_500(tmp_path):
    app = service_app("inventory", f"sqlite:///{tmp_path / 'inventory.db'}")

    def recurse():
        return recurse()

    app.add_url_rule("/recurse", "recurse", recurse)
    answer = app.test_client().get("/recurse")
    assert answer.status_code == 500
    assert answer.mimetype == "application/problem+json"
