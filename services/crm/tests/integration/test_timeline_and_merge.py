"""A customer's timeline merges interactions, orders, returns and tickets, newest first; two
records of one customer merge into the survivor, history and all."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from erp_shared.messaging import outbox
from erp_testing import bearer, deliver

pytestmark = pytest.mark.integration


def at(month):
    return datetime(2026, month, 1, 9, tzinfo=UTC)


def test_the_timeline_shows_everything_newest_first(app, client, customer, order_event):
    ada = customer()
    client.post(
        f"/api/v1/customers/{ada}/interactions",
        json={
            "channel": "call",
            "summary": "Asked about desks.",
            "occurred_at": "2026-01-01T09:00:00Z",
        },
        headers=bearer(),
    )
    order_event("o1", ada, at(2), status="confirmed")
    ret = {
        "return_id": "r1",
        "order_id": "o1",
        "resolution": "refund",
        "lines": [{"sku": "A", "quantity": 1}],
    }
    deliver(app, "return.requested", ret, "orders", occurred_at=at(3))
    ticket = {"customer_id": ada, "subject": "Wobbly desk", "description": "It wobbles."}
    client.post("/api/v1/tickets", json=ticket, headers=bearer())

    timeline = client.get(f"/api/v1/customers/{ada}/timeline", headers=bearer()).json
    assert [(e["kind"], e.get("status")) for e in timeline["items"]] == [
        ("ticket", "open"),
        ("return", "requested"),
        ("order", "confirmed"),
        ("interaction", None),
    ]
    assert timeline["total"] == 4


def test_a_duplicate_merges_into_the_survivor(app, client, customer, order_event):
    ada = customer("Ada Lovelace", tags=["vip"])
    twin = customer("Ada King", email="ada.king@example.com", tags=["newsletter"])
    order_event("o2", twin, at(4), status="confirmed")
    client.post(
        f"/api/v1/customers/{twin}/interactions",
        json={"channel": "email", "summary": "Hello."},
        headers=bearer(),
    )

    merged = client.post(
        f"/api/v1/customers/{twin}/merge", json={"survivor_id": ada}, headers=bearer()
    )
    assert merged.status_code == 200, merged.json
    assert merged.json["tags"] == ["newsletter", "vip"]
    kinds = [
        e["kind"]
        for e in client.get(f"/api/v1/customers/{ada}/timeline", headers=bearer()).json["items"]
    ]
    assert sorted(kinds) == ["interaction", "order"]
    assert client.get(f"/api/v1/customers/{twin}", headers=bearer()).json["merged_into"] == ada
    listed = client.get("/api/v1/customers", headers=bearer()).json
    assert [c["id"] for c in listed["items"]] == [ada]
    with app.extensions["erp_engine"].connect() as conn:
        bodies = conn.scalars(select(outbox.c.body).where(outbox.c.type == "customer.merged"))
        assert [json.loads(b)["data"] for b in bodies] == [
            {"customer_id": twin, "survivor_id": ada}
        ]
    again = client.post(
        f"/api/v1/customers/{twin}/merge", json={"survivor_id": ada}, headers=bearer()
    )
    assert again.status_code == 409


def test_merging_into_an_unknown_customer_names_the_survivor(client, customer):
    twin = customer("Ada King", email="ada.king@example.com")
    missing = "00000000-0000-4000-8000-000000000000"

    refused = client.post(
        f"/api/v1/customers/{twin}/merge", json={"survivor_id": missing}, headers=bearer()
    )

    assert refused.status_code == 422
    assert "survivor_id" in refused.json["errors"]
    assert client.get(f"/api/v1/customers/{twin}", headers=bearer()).json["merged_into"] is None
