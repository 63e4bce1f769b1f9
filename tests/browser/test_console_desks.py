"""The desks' daily work in the console: sales finds a customer as they type, support
answers a ticket, the warehouse turns a reorder alert into a receipt."""

from __future__ import annotations

import pytest

from erp_testing import unique

pytestmark = pytest.mark.e2e


def test_sales_finds_a_customer_as_they_type_and_reads_the_timeline(console):
    console.become("sales")
    console.type("#q", console.seeded.customer_name.split()[-1])
    console.wait(lambda d: len(console.all("#results tbody tr")) == 1)
    console.find("#results tbody a").click()
    console.find("#timeline .timeline li")
    console.screenshot("customer")


def test_support_answers_a_ticket_and_moves_it_on(console):
    answer = console.system.call(
        "POST",
        "/tickets",
        json={
            "customer_id": console.seeded.customer_id,
            "subject": f"Where is my desk {unique()}",
            "description": "Ordered last week, nothing yet.",
            "priority": "urgent",
        },
    )
    assert answer.status_code == 201, answer.text
    console.become("support")
    console.find(f"a[href='/tickets/{answer.json()['id']}']").click()
    console.type("#body", "It left the warehouse today.")
    console.find("#conversation button[type=submit]").click()
    console.wait_text("#conversation .history", "It left the warehouse today.")
    console.find("#status option[value=resolved]").click()
    console.type("#resolution", "Delivered")
    console.find("form[action$='/status'] button").click()
    console.wait_text("h1 [data-status]", "resolved")
    console.open("/tickets")
    console.find("#results table")
    console.screenshot("tickets")


def test_the_warehouse_drafts_a_receipt_from_a_reorder_alert(console):
    sku = unique("LAMP-")
    made = console.system.call(
        "POST",
        "/products",
        json={
            "sku": sku,
            "name": "Desk lamp",
            "unit_price": "39.00",
            "reorder_point": 5,
            "reorder_quantity": 24,
        },
    )
    assert made.status_code == 201, made.text
    line = {"sku": sku, "quantity": 3, "unit_cost": "21.00"}
    received = console.system.call("POST", "/receipts", json={"lines": [line]})
    assert received.status_code == 201, received.text
    console.become("warehouse")
    console.open("/reorder-alerts")
    console.find(f"a[href^='/receipts/new?sku={sku}']").click()
    assert console.find("#lines-0-sku").get_attribute("value") == sku
    assert console.find("#lines-0-quantity").get_attribute("value") == "24"
    console.type("#lines-0-unit_cost", "21.50")
    console.find("form button.primary").click()
    console.wait(lambda d: d.current_url.endswith(f"/stock/{sku}"))
    assert console.text_of("[data-available]") == "27"
    console.screenshot("stock-item")
