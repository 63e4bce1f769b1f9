"""A campaign's performance counts the orders that carried its code while it ran and went
through, and its ROI is (revenue - cost) / cost: checked against a hand calculation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from erp_testing import bearer

pytestmark = pytest.mark.integration


def at(month, day):
    return datetime(2026, month, day, 12, tzinfo=UTC)


def test_roi_new_and_returning_customers_match_a_hand_calculation(client, customer, order_event):
    spring = {
        "name": "Spring sale",
        "code": "SPRING",
        "channel": "email",
        "budget": "100.00",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-31",
    }
    created = client.post("/api/v1/campaigns", json=spring, headers=bearer())
    assert created.status_code == 201, created.json
    anna, bob, cleo, dan = (customer(name) for name in ("Anna A", "Bob B", "Cleo C", "Dan D"))
    order_event("o1", anna, at(3, 5), "200.00", "SPRING", "confirmed")  # counts; Anna's first
    order_event("o2", bob, at(2, 10), "50.00", None, "confirmed")  # no code; Bob's first
    order_event("o3", bob, at(3, 10), "150.00", "SPRING", "confirmed")  # counts; Bob returns
    order_event("o4", cleo, at(4, 2), "80.00", "SPRING", "confirmed")  # after the campaign
    order_event("o5", dan, at(3, 12), "300.00", "SPRING", "cancelled")  # did not go through
    order_event("o6", anna, at(3, 20), "50.00", "SPRING", "confirmed")  # counts
    order_event("o7", dan, at(3, 14), "70.00", "SPRING")  # still pending: not yet earned

    campaign = client.get(f"/api/v1/campaigns/{created.json['id']}", headers=bearer()).json
    # Orders o1, o3, o6: 200 + 150 + 50 = 400.00 revenue for 100.00 spent:
    # ROI = (400 - 100) / 100 = 3. Anna is new (her first order is o1), Bob returning.
    assert campaign["performance"] == {
        "orders": 3,
        "customers": 2,
        "new_customers": 1,
        "returning_customers": 1,
        "revenue": "400.00",
        "cost": "100.00",
        "roi": "3.0000",
    }


def test_a_campaign_code_is_used_once_and_dates_must_be_in_order(client):
    body = {
        "name": "A",
        "code": "X1",
        "channel": "email",
        "budget": "1.00",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-31",
    }
    assert client.post("/api/v1/campaigns", json=body, headers=bearer()).status_code == 201
    assert client.post("/api/v1/campaigns", json=body, headers=bearer()).status_code == 409
    backwards = body | {"code": "X2", "ends_on": "2026-02-01"}
    answer = client.post("/api/v1/campaigns", json=backwards, headers=bearer())
    assert answer.status_code == 422 and "ends_on" in answer.json["errors"]
