"""Every inventory endpoint refuses bad input with problem+json and a field map, answers 404
for an unknown SKU, and writes nothing when it refuses."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from erp_shared.messaging import outbox
from erp_testing import bearer, service_app
from inventory.tables import lots, movements, stock_levels

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('refusals') / 'inventory.db'}"
    app = service_app("inventory", url)
    client = app.test_client()
    product = {"sku": "MUG", "name": "Mug", "unit_price": "6.00"}
    assert client.post("/api/v1/products", json=product, headers=bearer()).status_code == 201
    line = {"sku": "MUG", "quantity": 5, "unit_cost": "2.00"}
    answer = client.post("/api/v1/receipts", json={"lines": [line]}, headers=bearer())
    assert answer.status_code == 201
    return app


def written(app) -> tuple[int, ...]:
    with app.extensions["erp_engine"].connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (movements, lots, outbox)
        ) + (conn.execute(select(func.sum(stock_levels.c.on_hand))).scalar_one(),)


INVALID = [
    ("POST", "/products", {"sku": "bad sku!", "name": "x", "unit_price": "1.00"}, "sku"),
    ("POST", "/products", {"sku": "A", "name": "", "unit_price": "1.00"}, "name"),
    ("PATCH", "/products/MUG", {}, "_schema"),
    ("PATCH", "/products/MUG", {"unit_price": "-2"}, "unit_price"),
    ("PATCH", "/products/MUG", {"sku": "OTHER"}, "sku"),
    ("POST", "/receipts", {"lines": []}, "lines"),
    ("POST", "/receipts", {"lines": [{"sku": "MUG", "quantity": 0, "unit_cost": "1"}]}, "lines"),
    ("POST", "/receipts", {"lines": [{"sku": "GHOST", "quantity": 1, "unit_cost": "1"}]}, "lines"),
    (
        "POST",
        "/receipts",
        {"warehouse": "NOWHERE", "lines": [{"sku": "MUG", "quantity": 1, "unit_cost": "1"}]},
        "warehouse",
    ),
    (
        "POST",
        "/receipts",
        {"lines": [{"sku": "MUG", "quantity": 1_000_000_000, "unit_cost": "999999999.00"}]},
        "lines",
    ),
    (
        "POST",
        "/adjustments",
        {"sku": "MUG", "quantity_delta": 1_000_000_000, "reason": "x", "unit_cost": "2000.00"},
        "quantity_delta",
    ),
    ("POST", "/adjustments", {"sku": "MUG", "quantity_delta": 1}, "reason"),
    ("POST", "/adjustments", {"sku": "MUG", "quantity_delta": 0, "reason": "x"}, "quantity_delta"),
    ("POST", "/adjustments", {"sku": "GHOST", "quantity_delta": 1, "reason": "x"}, "sku"),
    (
        "POST",
        "/transfers",
        {"sku": "MUG", "from_warehouse": "MAIN", "to_warehouse": "MAIN", "quantity": 1},
        "to_warehouse",
    ),
    (
        "POST",
        "/transfers",
        {"sku": "MUG", "from_warehouse": "MAIN", "to_warehouse": "NOWHERE", "quantity": 1},
        "to_warehouse",
    ),
    ("POST", "/warehouses", {"code": "lower case", "name": "x"}, "code"),
    ("GET", "/stock?per_page=201", None, "per_page"),
    ("GET", "/movements?kind=theft", None, "kind"),
    ("GET", "/inventory/turnover?from=2026-02-01&to=2026-01-01", None, "from"),
    (
        "PUT",
        "/products/MUG/reorder/MAIN",
        {"reorder_point": -1, "reorder_quantity": 1, "lead_time_days": 1},
        "reorder_point",
    ),
]


@pytest.mark.parametrize("method,path,body,field", INVALID)
def test_bad_input_is_a_422_with_the_field_named_and_nothing_written(
    app, method, path, body, field
):
    before = written(app)
    answer = app.test_client().open(f"/api/v1{path}", method=method, json=body, headers=bearer())
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json"
    assert field in answer.json["errors"]
    assert written(app) == before


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("GET", "/products/GHOST", None),
        ("PATCH", "/products/GHOST", {"name": "x"}),
        ("GET", "/stock/GHOST", None),
        ("GET", "/movements?sku=GHOST", None),
        (
            "PUT",
            "/products/GHOST/reorder/MAIN",
            {"reorder_point": 1, "reorder_quantity": 1, "lead_time_days": 1},
        ),
    ],
)
def test_an_unknown_sku_is_404(app, method, path, body):
    answer = app.test_client().open(f"/api/v1{path}", method=method, json=body, headers=bearer())
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "path,body",
    [
        ("/adjustments", {"sku": "MUG", "quantity_delta": -6, "reason": "count"}),
        (
            "/transfers",
            {"sku": "MUG", "from_warehouse": "MAIN", "to_warehouse": "BACK", "quantity": 6},
        ),
        ("/warehouses", {"code": "MAIN", "name": "again"}),
    ],
)
def test_what_clashes_with_the_stock_is_a_409_and_nothing_written(app, path, body):
    client = app.test_client()
    client.post("/api/v1/warehouses", json={"code": "BACK", "name": "Back"}, headers=bearer())
    before = written(app)
    answer = client.post(f"/api/v1{path}", json=body, headers=bearer())
    assert answer.status_code == 409, answer.json
    assert answer.mimetype == "application/problem+json"
    assert written(app) == before
