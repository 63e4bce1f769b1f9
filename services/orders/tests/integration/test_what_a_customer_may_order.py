"""What a customer may order and see with its own token: on the web channel, with a campaign
code that exists, staff shown as a role; a token naming no customer sees nothing; and a
credit limit holds when one customer's orders arrive at once."""

from __future__ import annotations

import json
import threading
from datetime import date
from decimal import Decimal

import pytest

from erp_testing import bearer, deliver

pytestmark = pytest.mark.integration

ADA = bearer(roles=["customer"], subject="ada.user", customer_id="cust-1")


def test_a_customer_orders_on_the_web_channel_only(place):
    phoned = place(headers=ADA, channel="phone")
    assert phoned.status_code == 403
    assert phoned.mimetype == "application/problem+json"
    assert list(phoned.json["errors"]) == ["channel"]
    assert place(headers=ADA, channel="web").status_code == 201
    assert place(channel="phone").status_code == 201  # staff take orders on any channel


def test_a_campaign_code_must_name_a_planned_campaign(app, place):
    made_up = place(headers=ADA, campaign_code="FREE100")
    assert made_up.status_code == 422
    assert list(made_up.json["errors"]) == ["campaign_code"]
    campaign = {"campaign_id": "c-1", "code": "SPRING", "starts_on": date(2026, 3, 1)}
    deliver(app, "campaign.planned", campaign | {"ends_on": date(2026, 3, 31)}, "crm")
    deliver(app, "campaign.planned", campaign | {"ends_on": date(2026, 3, 31)}, "crm")  # again
    planned = place(headers=ADA, campaign_code="SPRING")
    assert planned.status_code == 201, planned.json
    assert planned.json["campaign_code"] == "SPRING"


def test_a_customer_sees_staff_and_services_as_roles(app, client, place):
    placed = place(headers=bearer(roles=["sales"], subject="sam.sales")).json
    deliver(app, "stock.reserved", {"order_id": placed["id"], "lines": []}, "inventory")
    seen = client.get(f"/api/v1/orders/{placed['id']}", headers=ADA).json
    assert seen["placed_by"] == "staff"
    assert [(h["status"], h["actor"]) for h in seen["history"]] == [
        ("pending", "staff"),
        ("confirmed", "system"),
    ]
    mine = place(headers=ADA).json
    assert mine["placed_by"] == "ada.user"
    staff_view = client.get(f"/api/v1/orders/{placed['id']}", headers=bearer()).json
    assert staff_view["placed_by"] == "sam.sales"


def test_a_customer_following_its_order_live_sees_roles_too(app, client, place):
    sales = bearer(roles=["sales"], subject="sam.sales")
    placed = place(headers=sales).json
    deliver(app, "stock.reserved", {"order_id": placed["id"], "lines": []}, "inventory")
    client.post(f"/api/v1/orders/{placed['id']}/cancel", json={}, headers=sales)

    feed = client.get(f"/api/v1/orders/{placed['id']}/events", headers=ADA, buffered=False)
    moves = [
        json.loads(line.removeprefix("data: "))
        for line in b"".join(feed.response).decode().splitlines()
        if line.startswith("data: ")
    ]
    assert [(m["status"], m["actor"]) for m in moves] == [
        ("pending", "staff"),
        ("confirmed", "system"),
        ("cancelled", "staff"),
    ]


def test_a_customer_token_naming_no_customer_sees_nothing(place, client):
    place()
    nobody = bearer(roles=["customer"], subject="nobody")
    for path in ("/api/v1/orders", "/api/v1/invoices", "/api/v1/returns"):
        answer = client.get(path, headers=nobody)
        assert answer.status_code == 403, (path, answer.json)
        assert answer.mimetype == "application/problem+json"


@pytest.mark.parametrize(("backend", "credit_limit"), [("postgresql", "1000.00")])
def test_orders_placed_at_once_stay_within_the_credit_limit(app):
    """Eight orders of 447.00 for one customer at the same moment, with 1000.00 of credit:
    two fit, whichever they are; the others are rejected for credit."""
    start = threading.Barrier(8)
    answers = []

    def place():
        client = app.test_client()
        body = {"customer_id": "cust-1", "channel": "web"}
        body["lines"] = [{"sku": "CHAIR", "quantity": 3}]
        start.wait()
        answers.append(client.post("/api/v1/orders", json=body, headers=ADA))

    threads = [threading.Thread(target=place) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [201] * 8
    accepted = [a.json for a in answers if a.json["status"] == "pending"]
    assert len(accepted) == 2
    assert sum(Decimal(order["total"]) for order in accepted) <= Decimal("1000.00")
    refused = [a.json for a in answers if a.json["status"] == "rejected"]
    assert {order["rejected_for"] for order in refused} == {"credit"}
