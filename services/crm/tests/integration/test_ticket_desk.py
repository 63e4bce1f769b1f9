"""A support agent's desk: a ticket is linked to the order it is about (one of its customer's
only), resolved only by saying how, and the list puts what is still to do first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from erp_testing import bearer

pytestmark = pytest.mark.integration


@pytest.fixture
def ticket(client, customer, order_event):
    ada, grace = customer(), customer("Grace Hopper")
    order_event("o-ada", ada, datetime.now(UTC))
    order_event("o-grace", grace, datetime.now(UTC))
    body = {"customer_id": ada, "subject": "Late", "description": "Where is it?"}
    return client.post("/api/v1/tickets", json=body, headers=bearer()).json


def change(client, ticket, **fields):
    return client.patch(f"/api/v1/tickets/{ticket['id']}", json=fields, headers=bearer())


def test_a_ticket_is_linked_to_an_order_of_its_own_customer_only(client, ticket):
    refused = change(client, ticket, order_id="o-grace")
    assert refused.status_code == 422 and "order_id" in refused.json["errors"]
    linked = change(client, ticket, order_id="o-ada")
    assert linked.status_code == 200, linked.json
    assert linked.json["order_id"] == "o-ada"
    assert ("link", "o-ada") in [(e["kind"], e["body"]) for e in linked.json["history"]]


@pytest.mark.parametrize("resolution", [None, "", "   "], ids=["none", "empty", "blank"])
def test_a_ticket_is_resolved_only_by_saying_how(client, ticket, resolution):
    change(client, ticket, status="in_progress")
    asked = {"status": "resolved"} | ({} if resolution is None else {"resolution": resolution})
    refused = change(client, ticket, **asked)
    assert refused.status_code == 422
    after = client.get(f"/api/v1/tickets/{ticket['id']}", headers=bearer()).json
    assert after["status"] == "in_progress" and after["resolution"] is None


def test_the_list_puts_what_is_still_to_do_first(client, customer, ticket):
    change(client, ticket, status="in_progress")
    change(client, ticket, status="resolved", resolution="Found at the depot.")
    later = {"customer_id": ticket["customer_id"], "subject": "Broken", "description": "Cracked",
             "priority": "low"}  # fmt: skip
    still_open = client.post("/api/v1/tickets", json=later, headers=bearer()).json
    listed = client.get("/api/v1/tickets", headers=bearer()).json["items"]
    assert [t["id"] for t in listed] == [still_open["id"], ticket["id"]]
    assert {t["customer_name"] for t in listed} == {"Ada Lovelace"}
