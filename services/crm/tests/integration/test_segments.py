"""A rule-based segment holds the customers its rules pick today; the RFM segment analytics
assigns is on the customer's record and filters the customers list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from erp_testing import bearer, deliver

pytestmark = pytest.mark.integration


def members(client, segment_id):
    answer = client.get(f"/api/v1/segments/{segment_id}/customers", headers=bearer())
    assert answer.status_code == 200, answer.json
    return sorted(c["name"] for c in answer.json["items"])


def test_rules_on_tags_spend_and_last_order_pick_their_customers(client, customer, order_event):
    big = customer("Big Spender", tags=["vip"])
    small = customer("Small Spender", tags=["vip"])
    lapsed = customer("Lapsed Buyer")
    customer("Never Bought", tags=["vip"])
    order_event("o1", big, datetime(2026, 9, 1, tzinfo=UTC), "500.00", status="confirmed")
    order_event("o2", small, datetime(2026, 9, 2, tzinfo=UTC), "20.00", status="confirmed")
    order_event("o3", lapsed, datetime(2025, 1, 2, tzinfo=UTC), "900.00", status="confirmed")
    order_event("o4", small, datetime(2026, 9, 3, tzinfo=UTC), "999.00", status="cancelled")

    def define(name, rules):
        answer = client.post(
            "/api/v1/segments", json={"name": name, "rules": rules}, headers=bearer()
        )
        assert answer.status_code == 201, answer.json
        return answer.json["id"]

    assert members(
        client, define("vip spenders", {"tags_any": ["vip"], "min_spend": "100.00"})
    ) == ["Big Spender"]
    assert members(client, define("lapsed", {"last_order_before": "2026-01-01"})) == [
        "Lapsed Buyer"
    ]
    assert members(client, define("small", {"max_spend": "50.00"})) == [
        "Never Bought",
        "Small Spender",
    ]
    empty = client.post("/api/v1/segments", json={"name": "x", "rules": {}}, headers=bearer())
    assert empty.status_code == 422


def test_the_rfm_segment_from_analytics_filters_the_customers_list(app, client, customer):
    champion = customer("Cham Pion")
    customer("Some One")
    deliver(app, "customer.segment_changed", {"customer_id": champion, "segment": "champions"})
    listed = client.get("/api/v1/customers?segment=champions", headers=bearer()).json
    assert [c["id"] for c in listed["items"]] == [champion]
