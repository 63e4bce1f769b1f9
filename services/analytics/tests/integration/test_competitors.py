"""Our price index against each competitor's latest price, and our share of what sold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from erp_testing import bearer, deliver, service_app

pytestmark = pytest.mark.integration


@pytest.fixture
def app(backend, databases):
    return service_app("analytics", databases.new(backend))


def test_price_index_and_share_for_a_worked_example(app):
    client, now = app.test_client(), datetime.now(UTC)
    deliver(
        app,
        "product.created",
        {
            "sku": "LAMP",
            "name": "Lamp",
            "unit_price": "100.00",
            "currency": "EUR",
            "category": "lamps",
        },
    )
    placed = {
        "order_id": "o-1",
        "number": "SO-1",
        "customer_id": "c",
        "channel": "web",
        "lines": [{"sku": "LAMP", "quantity": 6, "unit_price": "100.00"}],
        "subtotal": "600.00",
        "total": "600.00",
        "currency": "EUR",
    }
    deliver(app, "order.confirmed", {**placed, "placed_at": now - timedelta(days=2)})

    def seen(competitor, price, days_ago, units, **about):
        body = {
            "competitor": competitor,
            "price": price,
            "currency": "EUR",
            "units_sold": units,
            "observed_at": (now - timedelta(days=days_ago)).isoformat(),
        } | about
        answer = client.post(
            "/api/v1/analytics/competitors/observations", json=body, headers=bearer()
        )
        assert answer.status_code == 201, answer.json

    seen("Rival A", "90.00", 10, 7, sku="LAMP")
    seen("Rival A", "80.00", 1, 10, sku="LAMP")  # the latest counts
    seen("Rival B", "125.00", 3, 4, category="lamps")
    seen("Rival C", "50.00", 45, 99, sku="LAMP")  # older than the 30-day window

    answer = client.get("/api/v1/analytics/competitors/comparison?sku=LAMP", headers=bearer())
    [line] = answer.json["items"]
    assert [(c["competitor"], c["price"], c["price_index"]) for c in line["competitors"]] == [
        ("Rival A", "80.00", 125.0),  # 100 x 100 / 80: we are 25% dearer
        ("Rival B", "125.00", 80.0),
    ]
    # 6 of ours against 10 + 4 seen sold by competitors: 6 / 20.
    assert (line["our_units"], line["competitor_units"], line["share"]) == (6, 14, 0.3)
    by_category = client.get(
        "/api/v1/analytics/competitors/comparison?category=lamps", headers=bearer()
    ).json
    assert [item["sku"] for item in by_category["items"]] == ["LAMP"]


def test_refusals(app):
    client = app.test_client()
    assert (
        client.get(
            "/api/v1/analytics/competitors/comparison?sku=NOPE", headers=bearer()
        ).status_code
        == 404
    )
    assert (
        client.get("/api/v1/analytics/competitors/comparison", headers=bearer()).status_code == 422
    )
    body = {
        "competitor": "X",
        "price": "1.00",
        "currency": "EUR",
        "observed_at": "2026-01-01T00:00:00Z",
    }
    answer = client.post("/api/v1/analytics/competitors/observations", json=body, headers=bearer())
    assert answer.status_code == 422 and "sku" in answer.json["errors"]
