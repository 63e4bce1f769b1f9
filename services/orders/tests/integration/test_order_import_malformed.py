"""An order file the csv module cannot read is refused whole with 422 problem+json naming the
line, never a 500, and creates nothing."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from erp_testing import bearer
from orders.tables import orders

pytestmark = pytest.mark.integration

HEADER = "external_ref,customer_id,channel,sku,quantity\n"


def send(client, body: str):
    headers = {**bearer(), "Content-Type": "text/csv"}
    return client.post("/api/v1/orders/import", data=body.encode(), headers=headers)


def order_count(app) -> int:
    with app.extensions["erp_engine"].connect() as conn:
        return conn.execute(select(func.count()).select_from(orders)).scalar_one()


def test_a_field_over_the_csv_limit_is_422_naming_its_line(app, client):
    oversized = "R" * (csv.field_size_limit() + 1)
    body = HEADER + "M-1,cust-1,web,PEN,1\n" + f"{oversized},cust-1,web,PEN,1\n"
    answer = send(client, body)
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/problem+json"
    assert answer.json["errors"]["file"][0].startswith("Line 3:")
    assert order_count(app) == 0


def test_a_lone_carriage_return_ends_a_row_as_in_old_mac_files(app, client):
    answer = send(client, HEADER + "M-1,cust-1,web,PEN,1\rM-2,cust-1,web,PEN,2\n")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert (answer.json["created"], answer.json["errors"]) == (2, [])
