"""What a customer may change and see in the CRM with its own token: its details but not
what staff decide (credit, blocking, tags, a ticket's priority and assignee), tickets only
about its own orders, staff as a role rather than a username, and nothing with a token that
names no customer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from erp_testing import bearer

pytestmark = pytest.mark.integration


def as_customer(customer_id: str) -> dict:
    return bearer(roles=["customer"], subject="ada.user", customer_id=customer_id)


@pytest.fixture
def ada(customer, client):
    """A customer whose credit staff limited and whom staff blocked."""
    customer_id = customer("Ada Lovelace")
    staff = {"credit_limit": "100.00", "blocked": True, "tags": ["watch"]}
    answer = client.patch(f"/api/v1/customers/{customer_id}", json=staff, headers=bearer())
    assert answer.status_code == 200, answer.json
    return customer_id


def test_a_customer_cannot_lift_its_credit_limit_unblock_or_retag_itself(client, ada):
    url = f"/api/v1/customers/{ada}"
    lifted = client.patch(
        url, json={"credit_limit": None, "blocked": False, "tags": []}, headers=as_customer(ada)
    )
    assert lifted.status_code == 403
    assert lifted.mimetype == "application/problem+json"
    assert set(lifted.json["errors"]) == {"credit_limit", "blocked", "tags"}
    mixed = client.patch(url, json={"phone": "+44 1", "blocked": False}, headers=as_customer(ada))
    assert (mixed.status_code, list(mixed.json["errors"])) == (403, ["blocked"])

    record = client.get(url, headers=bearer()).json
    assert (record["credit_limit"], record["blocked"], record["tags"]) == (
        "100.00",
        True,
        ["watch"],
    )
    assert record["phone"] is None  # the refused request changed nothing
    own = client.patch(url, json={"phone": "+44 2"}, headers=as_customer(ada))
    assert own.status_code == 200 and own.json["phone"] == "+44 2"


def test_a_taken_email_is_refused_without_naming_it(client, customer, ada):
    customer("Bob Other", email="bob.private@example.com")
    taken = client.patch(
        f"/api/v1/customers/{ada}",
        json={"email": "BOB.private@example.com"},
        headers=as_customer(ada),
    )
    assert taken.status_code == 409
    assert "bob.private" not in taken.text.lower()
    assert list(taken.json["errors"]) == ["email"]


def test_a_customer_opens_tickets_without_staff_fields_about_its_own_orders(
    client, customer, order_event, ada
):
    bob = customer("Bob Other")
    now = datetime.now(UTC)
    order_event("order-ada", ada, now)
    order_event("order-bob", bob, now)
    body = {"customer_id": ada, "subject": "Late", "description": "Where is it?"}

    def opened(**extra):
        return client.post("/api/v1/tickets", json=body | extra, headers=as_customer(ada))

    urgent = opened(priority="urgent", assignee="admin")
    assert urgent.status_code == 403
    assert set(urgent.json["errors"]) == {"priority", "assignee"}
    for order_id in ("order-bob", "no-such-order"):
        theirs = opened(order_id=order_id)
        assert theirs.status_code == 422, theirs.json
        assert theirs.json["errors"] == {"order_id": ["Not one of your orders."]}
    mine = opened(order_id="order-ada")
    assert mine.status_code == 201, mine.json
    assert (mine.json["priority"], mine.json["assignee"]) == ("normal", None)
    listed = client.get("/api/v1/tickets", headers=bearer()).json
    assert [t["order_id"] for t in listed["items"]] == ["order-ada"]


def test_a_customer_sees_staff_as_a_role_not_a_username(client, ada):
    body = {"customer_id": ada, "subject": "Late", "description": "Where is it?"}
    ticket = client.post("/api/v1/tickets", json=body, headers=as_customer(ada)).json
    url = f"/api/v1/tickets/{ticket['id']}"
    support = bearer(roles=["support"], subject="sue.support")
    client.patch(url, json={"assignee": "sue.support"}, headers=support)
    client.post(f"{url}/comments", json={"body": "On its way."}, headers=support)

    seen = client.get(url, headers=as_customer(ada)).json
    assert seen["assignee"] == "staff"
    assert [(e["kind"], e["actor"], e["body"]) for e in seen["history"]] == [
        ("status", "ada.user", None),
        ("assign", "staff", "staff"),
        ("comment", "staff", "On its way."),
    ]
    assert "sue.support" not in client.get(url, headers=as_customer(ada)).text
    listed = client.get("/api/v1/tickets", headers=as_customer(ada)).json
    assert [t["assignee"] for t in listed["items"]] == ["staff"]
    probe = client.get("/api/v1/tickets?assignee=sue.support", headers=as_customer(ada))
    assert (probe.status_code, list(probe.json["errors"])) == (403, ["assignee"])
    assert client.get(url, headers=support).json["assignee"] == "sue.support"


def test_a_customer_token_naming_no_customer_is_refused(client, ada):
    body = {"customer_id": ada, "subject": "Late", "description": "Where is it?"}
    client.post("/api/v1/tickets", json=body, headers=bearer())
    nobody = bearer(roles=["customer"], subject="nobody")
    for method, path in (
        ("GET", "/api/v1/tickets"),
        ("GET", f"/api/v1/customers/{ada}"),
        ("PATCH", f"/api/v1/customers/{ada}"),
    ):
        answer = client.open(
            path,
            method=method,
            json={"phone": "+44 3"} if method == "PATCH" else None,
            headers=nobody,
        )
        assert answer.status_code == 403, (method, path, answer.json)
        assert answer.mimetype == "application/problem+json"
