"""An invoice as its recipient reads it: whom it is for (in any script) and where, each product
by name, when payment is due, the tax at each rate, the totals; the buyer as it was at issue,
and gone from it once the customer is erased."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from erp_testing import bearer, deliver, service_app

pytestmark = pytest.mark.integration

BUYER = {
    "customer_id": "cust-zh",
    "name": "张伟",
    "email": "zhang.wei@example.cn",
    "tags": [],
    "company": "上海明远贸易有限公司",
    "tax_id": "91310000MA1FL4XQ2K",
    "billing_address": {
        "line1": "浦东新区世纪大道100号",
        "city": "上海",
        "postal_code": "200120",
        "country": "CN",
    },
}


@pytest.fixture
def app(backend, databases):
    app = service_app(
        "orders",
        databases.new(backend),
        tax_rates={"books": Decimal("0.09"), "furniture": Decimal("0.13")},
        payment_days=14,
    )
    deliver(app, "customer.registered", BUYER)
    for sku, name, price, category in (
        ("DESK-1", "橡木书桌 Oak desk", "1200.00", "furniture"),
        ("BOOK-7", "Müller: Lagerhaltung", "40.00", "books"),
    ):
        product = {"sku": sku, "name": name, "unit_price": price, "currency": "CNY"}
        deliver(app, "product.created", product | {"category": category})
    return app


@pytest.fixture
def invoice(app):
    """Two lines at two tax rates, confirmed and shipped: the invoice, as JSON and as text."""
    client = app.test_client()
    body = {
        "customer_id": "cust-zh",
        "channel": "web",
        "lines": [{"sku": "DESK-1", "quantity": 1}, {"sku": "BOOK-7", "quantity": 3}],
    }
    order = client.post("/api/v1/orders", json=body, headers=bearer()).json
    deliver(app, "stock.reserved", {"order_id": order["id"], "lines": []}, "inventory")
    shipped = client.post(f"/api/v1/orders/{order['id']}/ship", json={}, headers=bearer())
    assert shipped.status_code == 200, shipped.json
    url = f"/api/v1/invoices/{shipped.json['invoice_id']}"
    as_json = client.get(url, headers=bearer()).json
    pdf = client.get(url, headers={**bearer(), "Accept": "application/pdf"})
    assert pdf.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    return order, as_json, text


def test_the_invoice_names_its_buyer_products_due_date_and_tax_per_rate(invoice):
    order, issued, _ = invoice
    assert issued["buyer"] == {
        "name": "张伟",
        "company": "上海明远贸易有限公司",
        "email": "zhang.wei@example.cn",
        "tax_id": "91310000MA1FL4XQ2K",
        "address": BUYER["billing_address"],
        "language": None,
    }
    assert {line["sku"]: line["name"] for line in issued["lines"]} == {
        "DESK-1": "橡木书桌 Oak desk",
        "BOOK-7": "Müller: Lagerhaltung",
    }
    issued_on = date.fromisoformat(issued["issued_at"][:10])
    assert date.fromisoformat(issued["due_on"]) == issued_on + timedelta(days=14)
    assert issued["tax_by_rate"] == [
        {"rate": "0.0900", "taxable": "120.00", "tax": "10.80"},
        {"rate": "0.1300", "taxable": "1200.00", "tax": "156.00"},
    ]
    assert issued["total"] == "1486.80"
    assert issued["order_number"] == order["number"]


def test_the_pdf_reads_back_with_the_chinese_name_address_products_and_totals(invoice):
    order, issued, text = invoice
    for printed in (
        issued["number"],
        order["number"],
        "张伟",
        "上海明远贸易有限公司",
        "浦东新区世纪大道100号",
        "200120 上海",
        "Tax id: 91310000MA1FL4XQ2K",
        "橡木书桌 Oak desk",
        "Müller: Lagerhaltung",
        "1,486.80 CNY",
        "156.00 CNY",
        "10.80 CNY",
        f"{issued['due_on']} (net 14 days)",
    ):
        assert printed in text, printed
    assert "cust-zh" not in text


def test_a_later_change_of_the_customer_leaves_an_issued_invoice_as_it_was(app, invoice):
    _, issued, _ = invoice
    deliver(app, "customer.updated", {**BUYER, "company": "明远国际", "billing_address": None})
    again = app.test_client().get(f"/api/v1/invoices/{issued['id']}", headers=bearer()).json
    assert again["buyer"] == issued["buyer"]


def test_erasing_the_customer_takes_its_name_off_its_invoices_and_keeps_the_amounts(app, invoice):
    _, issued, _ = invoice
    deliver(app, "customer.erased", {"customer_id": "cust-zh"}, "crm")
    client = app.test_client()
    after = client.get(f"/api/v1/invoices/{issued['id']}", headers=bearer()).json
    assert after["buyer"] == {
        "name": "erased", "company": None, "email": None, "tax_id": None, "address": None,
        "language": None,
    }  # fmt: skip
    assert (after["total"], after["lines"]) == (issued["total"], issued["lines"])
    pdf = client.get(
        f"/api/v1/invoices/{issued['id']}", headers={**bearer(), "Accept": "application/pdf"}
    )
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "张伟" not in text and "上海明远" not in text and "1,486.80 CNY" in text


def test_an_invoice_is_written_in_the_language_its_buyer_reads(app):
    deliver(app, "customer.updated", {**BUYER, "language": "zh_CN"})
    client = app.test_client()
    body = {"customer_id": "cust-zh", "channel": "web", "lines": [{"sku": "DESK-1", "quantity": 1}]}
    order = client.post("/api/v1/orders", json=body, headers=bearer()).json
    deliver(app, "stock.reserved", {"order_id": order["id"], "lines": []}, "inventory")
    shipped = client.post(f"/api/v1/orders/{order['id']}/ship", json={}, headers=bearer()).json
    pdf = client.get(
        f"/api/v1/invoices/{shipped['invoice_id']}",
        headers={**bearer(), "Accept": "application/pdf"},
    )
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    for label in (
        "发票",
        "销售方",
        "购买方",
        "开票日期",
        "付款到期日",
        "产品",
        "合计",
        "14 天账期",
    ):
        assert label in text, label
    assert "Bill to" not in text and "1,356.00 CNY" in text


def test_an_order_names_its_products_as_the_catalogue_does(app, invoice):
    order, _, _ = invoice
    read = app.test_client().get(f"/api/v1/orders/{order['id']}", headers=bearer()).json
    assert {line["sku"]: line["name"] for line in read["lines"]} == {
        "DESK-1": "橡木书桌 Oak desk",
        "BOOK-7": "Müller: Lagerhaltung",
    }
