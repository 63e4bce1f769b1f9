"""Orders from a channel's CSV: good orders in, bad rows told by line number, nothing twice,
and a file that cannot be read as a whole writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from erp_testing import bearer
from orders.tables import orders

pytestmark = pytest.mark.integration

HEADER = "external_ref,customer_id,channel,sku,quantity\n"


def send(client, body: bytes | str):
    data = body.encode() if isinstance(body, str) else body
    headers = {**bearer(), "Content-Type": "text/csv"}
    return client.post("/api/v1/orders/import", data=data, headers=headers)


def order_count(app) -> int:
    with app.extensions["erp_engine"].connect() as conn:
        return conn.execute(select(func.count()).select_from(orders)).scalar_one()


def test_good_orders_are_created_and_a_bad_row_is_reported_by_its_line(app, client):
    csv = HEADER + (
        "M-1,cust-1,marketplace,CHAIR,1\n"
        "M-1,cust-1,marketplace,PEN,10\n"
        "M-2,cust-1,marketplace,GHOST,1\n"
        "M-3,cust-1,marketplace,PEN,x\n"
        "M-4,cust-1,marketplace,PEN,2\n"
    )
    answer = send(client, csv)
    assert answer.status_code == 200, answer.json
    assert (answer.json["created"], answer.json["duplicates"]) == (2, 0)
    assert answer.json["errors"] == [
        {"row": 4, "errors": {"sku": ["Unknown SKU GHOST."]}},
        {"row": 5, "errors": {"quantity": ["A whole number from 1 to 1000000."]}},
    ]
    listed = client.get("/api/v1/orders?channel=marketplace", headers=bearer()).json
    assert listed["total"] == 2
    two_lines = [o for o in listed["items"] if o["total"] == "168.90"]
    assert len(two_lines) == 1  # M-1: 149.00 + 10 x 1.99

    again = send(client, csv)
    assert (again.json["created"], again.json["duplicates"]) == (0, 2)
    assert order_count(app) == 2


@pytest.mark.parametrize(
    "body,reason",
    [
        (b"", "empty"),
        (HEADER, "no order lines"),
        ("ref,customer,channel,sku,qty\nM-1,cust-1,web,PEN,1\n", "header"),
        (
            "external_ref,customer_id,channel,sku,quantity\nM-1,cust-1,web,PEN,1\n".encode(
                "utf-16"
            ),
            "UTF-8",
        ),
        (HEADER + "M-1,cust-1,web,PEN,1\n" * 10_001, "At most 10000"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_whole_is_refused_and_writes_nothing(
    app, client, body, reason
):
    answer = send(client, body)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert reason.lower() in (answer.json["detail"] + str(answer.json["errors"])).lower()
    assert order_count(app) == 0
