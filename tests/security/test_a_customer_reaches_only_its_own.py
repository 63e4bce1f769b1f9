"""A customer's token reaches that customer's record, orders, invoices, returns and tickets
and nobody else's: another customer's answer 404, as if they did not exist, and lists hold
only its own."""

from __future__ import annotations

import pytest

from erp_testing import bearer, deliver, service_app

pytestmark = pytest.mark.integration

ADA, BOB = "cust-ada", "cust-bob"


def as_customer(customer_id: str) -> dict:
    return bearer(roles=["customer"], subject=f"user-{customer_id}", customer_id=customer_id)


@pytest.fixture
def orders(databases):
    app = service_app("orders", databases.new("sqlite"))
    for customer_id in (ADA, BOB):
        data = {"customer_id": customer_id, "name": customer_id, "email": f"{customer_id}@x.io"}
        deliver(app, "customer.registered", data | {"tags": [], "credit_limit": None})
    product = {"sku": "PEN", "name": "Pen", "unit_price": "2.00", "currency": "EUR"}
    deliver(app, "product.created", product | {"category": "office"})
    return app


def shipped_order(app, customer_id: str) -> dict:
    """An order of `customer_id`, placed by sales, confirmed and shipped (so invoiced)."""
    client = app.test_client()
    body = {"customer_id": customer_id, "channel": "web", "lines": [{"sku": "PEN", "quantity": 2}]}
    order = client.post("/api/v1/orders", json=body, headers=bearer(["sales"])).json
    deliver(app, "stock.reserved", {"order_id": order["id"], "lines": []}, "inventory")
    ship = {"lines": [{"sku": "PEN", "quantity": 2}]}
    shipped = client.post(f"/api/v1/orders/{order['id']}/ship", json=ship, headers=bearer())
    assert shipped.status_code == 200, shipped.json
    return order


def test_orders_invoices_and_returns_of_another_customer_are_404(orders):
    client = orders.test_client()
    mine, theirs = shipped_order(orders, ADA), shipped_order(orders, BOB)
    ada = as_customer(ADA)
    invoice = client.get(f"/api/v1/invoices?order_id={theirs['id']}", headers=bearer()).json
    their_invoice = invoice["items"][0]["id"]
    refund = {"order_id": theirs["id"], "resolution": "refund"}
    refund["lines"] = [{"sku": "PEN", "quantity": 1}]
    order_body = {"customer_id": BOB, "channel": "web", "lines": [{"sku": "PEN", "quantity": 1}]}

    for method, path, body in (
        ("GET", f"/api/v1/orders/{theirs['id']}", None),
        ("GET", f"/api/v1/orders/{theirs['id']}/events", None),
        ("POST", f"/api/v1/orders/{theirs['id']}/cancel", {}),
        ("POST", "/api/v1/orders", order_body),
        ("GET", f"/api/v1/invoices/{their_invoice}", None),
        ("POST", "/api/v1/returns", refund),
    ):
        answer = client.open(path, method=method, json=body, headers=ada)
        assert answer.status_code == 404, (method, path, answer.json)

    assert client.get(f"/api/v1/orders/{mine['id']}", headers=ada).status_code == 200
    listed = client.get("/api/v1/orders", headers=ada).json
    assert [o["id"] for o in listed["items"]] == [mine["id"]]
    invoices = client.get("/api/v1/invoices", headers=ada).json["items"]
    assert {i["customer_id"] for i in invoices} == {ADA}
    mine_back = {**refund, "order_id": mine["id"]}
    own_return = client.post("/api/v1/returns", json=mine_back, headers=ada)
    assert own_return.status_code == 201, own_return.json
    theirs_back = client.post("/api/v1/returns", json=refund, headers=bearer(["sales"])).json
    assert client.get(f"/api/v1/returns/{theirs_back['id']}", headers=ada).status_code == 404
    returns = client.get("/api/v1/returns", headers=ada).json["items"]
    assert [r["id"] for r in returns] == [own_return.json["id"]]
    # Unchanged by all of it: Bob's order is still shipped, not cancelled.
    bob = client.get(f"/api/v1/orders/{theirs['id']}", headers=bearer()).json
    assert bob["status"] == "shipped"


@pytest.fixture
def crm(databases):
    app = service_app("crm", databases.new("sqlite"))
    client = app.test_client()
    ids = {}
    for name in ("Ada", "Bob"):
        body = {"name": name, "email": f"{name.lower()}@example.com"}
        ids[name] = client.post("/api/v1/customers", json=body, headers=bearer()).json["id"]
    return app, ids


def test_another_customer_s_record_and_tickets_are_404(crm):
    app, ids = crm
    client = app.test_client()
    ada = as_customer(ids["Ada"])

    def ticket(customer_id, headers):
        body = {"customer_id": customer_id, "subject": "Broken", "description": "It broke."}
        return client.post("/api/v1/tickets", json=body, headers=headers)

    theirs = ticket(ids["Bob"], bearer(["support"])).json
    for method, path, body in (
        ("GET", f"/api/v1/customers/{ids['Bob']}", None),
        ("PATCH", f"/api/v1/customers/{ids['Bob']}", {"phone": "+44 1"}),
        ("GET", f"/api/v1/tickets/{theirs['id']}", None),
        ("POST", f"/api/v1/tickets/{theirs['id']}/comments", {"body": "Mine now?"}),
    ):
        answer = client.open(path, method=method, json=body, headers=ada)
        assert answer.status_code == 404, (method, path, answer.json)
    assert ticket(ids["Bob"], ada).status_code == 404

    assert client.get(f"/api/v1/customers/{ids['Ada']}", headers=ada).status_code == 200
    mine = ticket(ids["Ada"], ada)
    assert mine.status_code == 201, mine.json
    listed = client.get("/api/v1/tickets", headers=ada).json["items"]
    assert [t["id"] for t in listed] == [mine.json["id"]]
