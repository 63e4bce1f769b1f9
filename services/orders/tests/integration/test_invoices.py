"""Invoices: one per shipment, numbered without gap or duplicate under concurrency, with a PDF
that says what it bills."""

from __future__ import annotations

import io
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from erp_shared.uow import UnitOfWork
from erp_testing import bearer, deliver
from orders.sales import service as sales
from orders.tables import invoices

pytestmark = pytest.mark.integration


def test_two_hundred_orders_shipped_at_once_get_invoices_one_to_two_hundred(app, confirmed_order):
    order_ids = [confirmed_order(lines=[{"sku": "PEN", "quantity": 1}])["id"] for _ in range(200)]
    start = threading.Barrier(20)
    errors = []

    def ship(batch):
        start.wait()
        for order_id in batch:
            try:
                with UnitOfWork(app.extensions["erp_engine"], "orders", actor="picker") as uow:
                    sales.ship_order(uow, order_id, {}, payment_days=30)
            except Exception as exc:  # a lost shipment would show as a missing number
                errors.append(exc)

    threads = [threading.Thread(target=ship, args=(order_ids[n::20],)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.extensions["erp_engine"].connect() as conn:
        numbers = sorted(conn.scalars(select(invoices.c.number)))
    year = numbers[0].split("-")[1]
    assert numbers == [f"INV-{year}-{n:06d}" for n in range(1, 201)]


def test_a_partial_shipment_bills_what_left_and_the_pdf_shows_number_and_total(
    app, client, confirmed_order
):
    order = confirmed_order(lines=[{"sku": "CHAIR", "quantity": 2}, {"sku": "PEN", "quantity": 5}])
    url = f"/api/v1/orders/{order['id']}/ship"
    first = client.post(url, json={"lines": [{"sku": "PEN", "quantity": 3}]}, headers=bearer())
    assert first.status_code == 200, first.json
    invoice = client.get(f"/api/v1/invoices/{first.json['invoice_id']}", headers=bearer()).json
    assert [(line["sku"], line["quantity"]) for line in invoice["lines"]] == [("PEN", 3)]
    assert invoice["total"] == "5.97"

    pdf = client.get(
        f"/api/v1/invoices/{invoice['id']}", headers={**bearer(), "Accept": "application/pdf"}
    )
    assert pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert invoice["number"] in text and "5.97 EUR" in text and order["number"] in text

    rest = client.post(url, json={}, headers=bearer())
    listed = client.get(f"/api/v1/invoices?order_id={order['id']}", headers=bearer()).json
    assert listed["total"] == 2
    second = client.get(f"/api/v1/invoices/{rest.json['invoice_id']}", headers=bearer()).json
    assert sorted((line["sku"], line["quantity"]) for line in second["lines"]) == [
        ("CHAIR", 2),
        ("PEN", 2),
    ]
    shipping_again = client.post(url, json={}, headers=bearer())
    assert shipping_again.status_code == 409
    deliver(app, "stock.issued", {"order_id": order["id"], "lines": []}, "inventory")
