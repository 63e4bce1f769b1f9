"""Finding an order as a clerk does: by part of its number, its channel's reference or its
customer's name, in any case and script; each listed order names its customer."""

from __future__ import annotations

import pytest

from erp_testing import bearer, deliver

pytestmark = pytest.mark.integration


@pytest.fixture
def placed(app, client, place):
    customer = {"customer_id": "cust-2", "name": "王芳 Wang Fang", "email": "wf@example.cn"}
    deliver(app, "customer.registered", customer)
    ada = place().json
    wang = place(customer_id="cust-2").json
    csv = "external_ref,customer_id,channel,sku,quantity\nSHOP_10%-77,cust-1,marketplace,PEN,1\n"
    headers = {**bearer(), "Content-Type": "text/csv"}
    sent = client.post("/api/v1/orders/import", data=csv.encode(), headers=headers)
    assert sent.json["created"] == 1, sent.json
    listed = client.get("/api/v1/orders?channel=marketplace", headers=bearer()).json["items"]
    return ada, wang, listed[0]


def found(client, q: str) -> list[str]:
    answer = client.get("/api/v1/orders", query_string={"q": q}, headers=bearer())
    assert answer.status_code == 200, answer.json
    return sorted(order["number"] for order in answer.json["items"])


def test_an_order_is_found_by_its_customers_name_in_part_and_any_case(client, placed):
    ada, wang, imported = placed
    assert found(client, "ada") == sorted([ada["number"], imported["number"]])
    assert found(client, "王芳") == [wang["number"]]
    assert found(client, "WANG") == [wang["number"]]
    listed = client.get("/api/v1/orders", headers=bearer()).json["items"]
    assert {o["number"]: o["customer_name"] for o in listed}[wang["number"]] == "王芳 Wang Fang"


def test_an_order_is_found_by_part_of_its_number_or_reference(client, placed):
    ada, _, imported = placed
    assert found(client, ada["number"][-4:]) == [ada["number"]]
    assert found(client, "10%-7") == [imported["number"]]
    # A wildcard typed is a character searched for, not "anything".
    assert found(client, "%") == [imported["number"]]
    assert found(client, "_") == [imported["number"]]
    assert found(client, "no such order") == []


def test_a_pick_list_is_oldest_first_with_each_orders_lines_and_destination(client, place):
    to = {"line1": "1 Quay St", "city": "Cork", "postal_code": "T12", "country": "IE"}
    first = place(shipping_address=to).json
    second = place(lines=[{"sku": "PEN", "quantity": 4}, {"sku": "CHAIR", "quantity": 1}]).json
    query = {"sort": "oldest", "with_lines": "true"}
    listed = client.get("/api/v1/orders", query_string=query, headers=bearer()).json["items"]
    assert [o["number"] for o in listed] == [first["number"], second["number"]]
    assert listed[0]["shipping_address"] == to
    assert listed[1]["lines"] == [
        {"sku": "PEN", "name": "PEN", "quantity": 4, "to_ship": 4},
        {"sku": "CHAIR", "name": "CHAIR", "quantity": 1, "to_ship": 1},
    ]
    plain = client.get("/api/v1/orders", headers=bearer()).json["items"]
    assert [o["number"] for o in plain] == [second["number"], first["number"]]
    assert "lines" not in plain[0]
