"""An order's life in the console: sales places it with the pickers (the total follows the
typing, the API's refusal shows beside its field), watches it become confirmed without
reloading, the warehouse ships it and opens its invoice, and sales asks for a return."""

from __future__ import annotations

import os
import signal
import time

import pytest

from erp_testing import unique, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def confirmed_order(console) -> dict:
    system, sku = console.system, console.seeded.skus[1]
    order = system.place_first_order(console.seeded.customer_id, sku, 1)
    wait_until(lambda: system.settled(order["id"]), timeout=15)
    return system.order(order["id"])


def _start_order(console, quantity: str) -> None:
    """The new-order page with the seeded customer and 1 of the first product, then the
    quantity typed over."""
    seeded = console.seeded
    console.open("/orders/new")
    console.type("#customer-q", seeded.customer_name.split()[-1])
    console.find("#customer-choices button").click()
    console.wait_text("[data-chosen-customer]", seeded.customer_name)
    console.type("#product-q", seeded.skus[0])
    console.find(f'#product-choices button[data-sku="{seeded.skus[0]}"]').click()
    console.find(f'#order-lines tr[data-sku="{seeded.skus[0]}"]')
    console.type("#lines-0-quantity", quantity)


def test_sales_places_an_order_and_watches_it_become_confirmed_without_reloading(console):
    console.become("sales")
    _start_order(console, "3")
    console.wait_text("#order-totals [data-subtotal]", "447.00")  # 3 × 149.00, as typed
    for field, text in (("line1", "1 Quay St"), ("postal_code", "T12"), ("city", "Cork"),
                        ("country", "ie")):  # fmt: skip
        console.type(f"#shipping_{field}", text)
    console.screenshot("new-order")
    # The saga waits while the inventory worker is paused, so the page is seen pending.
    worker = int(console.system.pid_file("inventory-worker").read_text())
    os.kill(worker, signal.SIGSTOP)
    try:
        console.find("#order-form button[type=submit]").click()
        console.wait_text("#order-live [data-status]", "pending")
        console.driver.execute_script("window.stillTheSamePage = true")
    finally:
        os.kill(worker, signal.SIGCONT)
    console.wait_text("#order-live [data-status]", "confirmed")
    assert console.driver.execute_script("return window.stillTheSamePage") is True
    assert console.text_of("[data-total]") == "€447.00"  # as English writes euros
    assert console.text_of("[data-ship-to]") == "Ship to 1 Quay St, T12 Cork, IE"
    assert console.foreign_requests() == []
    console.screenshot("order")
    console.open("/orders")
    console.find("#results table")
    console.screenshot("orders")


def test_sales_finds_an_order_by_part_of_its_customers_name(console, confirmed_order):
    console.become("sales")
    console.open("/orders")
    surname_and_tag = console.seeded.customer_name.split(maxsplit=1)[1].upper()
    console.type("#q", surname_and_tag)
    console.wait(lambda d: "q=" in d.current_url)
    console.wait_text("#results", confirmed_order["number"])
    rows = console.all("#results tbody tr")
    assert rows and all(console.seeded.customer_name in row.text for row in rows)
    assert console.overflowing() == []
    console.screenshot("orders-search")


def test_the_apis_refusal_shows_beside_the_field_that_caused_it(console):
    console.become("sales")
    _start_order(console, "0")
    console.find("#order-form button[type=submit]").click()
    error = console.find('[data-error-for="lines.0.quantity"]')
    assert "greater than or equal to 1" in error.text
    field = console.find("#lines-0-quantity")
    assert field.get_attribute("aria-invalid") == "true"
    assert console.driver.execute_script(
        "return arguments[0].parentElement === arguments[1].parentElement", error, field
    )
    console.screenshot("new-order-refused")


def test_the_warehouse_ships_an_order_and_sales_opens_its_invoice(console, confirmed_order):
    console.become("warehouse")
    row = f"#ship-{confirmed_order['id']}"
    console.type(f"{row} input[name=carrier]", "DHL")
    console.type(f"{row} input[name=tracking_number]", "JD0146000031")
    console.screenshot("to-ship")
    console.find(f"{row} button[type=submit]").click()
    console.wait_text(f"{row} [data-status]", "shipped")
    console.become("sales")
    console.open(f"/orders/{confirmed_order['id']}")
    assert "DHL, tracking JD0146000031" in console.text_of("#order-live")
    console.find("#order-live a[data-invoice]").click()
    console.wait(lambda d: "/invoices/" in d.current_url)
    assert console.text_of("[data-total]") == f"€{confirmed_order['total']}"
    assert confirmed_order["number"] in console.text_of("main .meta")
    buyer = console.text_of("[data-buyer]")
    assert console.seeded.customer_name in buyer
    assert "上海明远贸易有限公司" in buyer and "200120 上海" in buyer
    pdf = console.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(document.querySelector('a[href$=\".pdf\"]').href)"
        ".then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'),"
        " String.fromCharCode(...new Uint8Array(b.slice(0, 5)))])))"
    )
    assert pdf == [200, "application/pdf", "%PDF-"]
    console.screenshot("invoice")


def test_sales_asks_for_a_return_of_a_shipped_order(console, confirmed_order):
    order_id = confirmed_order["id"]
    shipped = console.system.call("POST", f"/orders/{order_id}/ship", json={})
    assert shipped.status_code == 200, shipped.text
    console.become("sales")
    console.open(f"/orders/{order_id}")
    console.type("#return-0-quantity", "1")
    console.type("#return-0-reason", "Scratched on arrival")
    console.find("#returns button[type=submit]").click()
    console.wait_text("#returns [data-status]", "requested")
    assert "1 × " in console.text_of("#returns tbody")
    console.screenshot("order-with-return")


def test_the_warehouse_picks_oldest_first_and_ships_only_with_tracking_or_saying_none(
    console, confirmed_order
):
    console.become("warehouse")
    console.open("/shipping")
    waiting = console.system.call(
        "GET", "/orders", params={"status": "confirmed", "sort": "oldest", "per_page": 20}
    ).json()["items"]
    shown = [row.get_attribute("id") for row in console.all("#results tbody tr")]
    assert shown == [f"ship-{order['id']}" for order in waiting]
    row = f"#ship-{confirmed_order['id']}"
    assert console.text_of(f"{row} [data-customer]") == console.seeded.customer_name
    [line] = confirmed_order["lines"]
    assert f"{line['quantity']} × {line['sku']}" in console.text_of(f"{row} [data-items]")
    assert console.overflowing() == []
    console.screenshot("to-ship")

    console.type(f"{row} input[name=carrier]", "SF Express")
    console.find(f"{row} button[type=submit]").click()
    console.wait_text(f"{row} [data-error-for=tracking_number]", "Ships without tracking")
    console.find(f"{row} input[name=untracked]").click()
    console.find(f"{row} button[type=submit]").click()
    console.wait_text(f"{row} [data-status]", "shipped")
    shipped = console.system.order(confirmed_order["id"])
    assert shipped["shipments"][0]["carrier"] == "SF Express"
    assert shipped["shipments"][0]["tracking_number"] is None


def test_sales_cancels_an_order_only_saying_why(console, confirmed_order):
    console.become("sales")
    console.open(f"/orders/{confirmed_order['id']}")
    console.find("#order-live details.confirm summary").click()
    console.find("#order-live details.confirm button[type=submit]").click()
    console.wait_text("[data-error-for=reason]", "Say why")
    assert console.system.order(confirmed_order["id"])["status"] == "confirmed"
    # The page came back with the form open, the reason asked for.
    console.type("#reason", "The customer ordered twice")
    console.find("#order-live details.confirm button[type=submit]").click()
    console.wait_text("#order-live [data-status]", "cancelled")
    assert "The customer ordered twice" in console.text_of("#order-live .history")


def test_sales_places_and_follows_an_order_in_chinese(console):
    console.become("sales")
    console.find('header form.language button[value="zh_CN"]').click()
    try:
        console.wait(lambda d: d.execute_script("return document.documentElement.lang") == "zh-CN")
        assert "订单" in console.nav() and "新建订单" in console.nav()
        _start_order(console, "2")
        console.wait_text("#order-totals [data-subtotal]", "298.00")
        console.find("#order-form button[type=submit]").click()
        console.wait_text("#order-live [data-status]", "已确认")
        assert console.find("#order-live [data-status]").get_attribute("data-status") == "confirmed"
        assert console.text_of("[data-total]") == "€298.00"
        assert console.overflowing() == []
        console.screenshot("order-zh")
        console.open("/orders")
        console.find("#results table")
        console.screenshot("orders-zh")
    finally:
        console.driver.delete_cookie("erp_lang")


def test_a_customer_reads_its_own_invoice_list(console, confirmed_order):
    shipped = console.system.call("POST", f"/orders/{confirmed_order['id']}/ship", json={})
    assert shipped.status_code == 200, shipped.text
    number = console.system.call("GET", f"/invoices/{shipped.json()['invoice_id']}").json()
    console.become("customer")
    assert "Invoices" in console.nav()
    console.open("/invoices")
    row = console.find(f"#results tr[data-invoice='{number['number']}']")
    assert confirmed_order["number"] in row.text and "unpaid" in row.text
    customers = {
        invoice["customer_id"]
        for invoice in console.system.call("GET", "/invoices").json()["items"]
    }
    shown = len(console.all("#results tbody tr"))
    mine = console.system.call(
        "GET", "/invoices", params={"customer_id": console.seeded.customer_id}
    ).json()["total"]
    assert shown == min(mine, 50) and len(customers) >= 1
    assert console.overflowing() == []
    console.screenshot("invoices")


def test_a_second_return_is_offered_only_what_the_first_did_not_ask_for(console, confirmed_order):
    order_id = confirmed_order["id"]
    assert console.system.call("POST", f"/orders/{order_id}/ship", json={}).status_code == 200
    [line] = confirmed_order["lines"]
    back = [{"sku": line["sku"], "quantity": line["quantity"], "reason": "late"}]
    asked = {"order_id": order_id, "resolution": "refund", "lines": back}
    assert console.system.call("POST", "/returns", json=asked).status_code == 201
    console.become("sales")
    console.open(f"/orders/{order_id}")
    console.find("#returns table")
    # Everything shipped is already asked back: nothing is left to offer.
    assert console.all("#return-0-quantity") == []


def test_sales_imports_a_channels_csv_and_reads_each_refused_row_by_its_line(console, tmp_path):
    seeded = console.seeded
    ref = unique("M-")
    csv_file = tmp_path / "marketplace.csv"
    csv_file.write_text(
        "external_ref,customer_id,channel,sku,quantity\n"
        f"{ref}-1,{seeded.customer_id},marketplace,{seeded.skus[0]},1\n"
        f"{ref}-2,{seeded.customer_id},marketplace,NO-SUCH-SKU,1\n"
        f"{ref}-3,{seeded.customer_id},marketplace,{seeded.skus[1]},lots\n"
    )
    console.become("sales")
    console.open("/orders")
    console.find("a[href='/orders/import']").click()
    assert "external_ref,customer_id,channel,sku,quantity" in console.text_of("main")
    console.find("#file").send_keys(str(csv_file))
    console.find("main form button.primary").click()
    result = console.find("#import-result [data-created]")
    assert (result.get_attribute("data-created"), result.get_attribute("data-duplicates")) == (
        "1",
        "0",
    )
    assert [
        row.get_attribute("data-row") for row in console.all("#import-result tr[data-row]")
    ] == ["3", "4"]
    assert console.overflowing() == []
    console.screenshot("import-orders")


def test_the_order_page_follows_the_feed_instead_of_asking_every_second(console):
    """While the order waits for inventory (its worker paused), the page does not ask for its
    status every second: the feed tells it when the order moves."""
    system, seeded = console.system, console.seeded
    worker = int(system.pid_file("inventory-worker").read_text())
    os.kill(worker, signal.SIGSTOP)
    try:
        body = system.order_body(seeded.customer_id, seeded.skus[0], 1)
        placed = system.call("POST", "/orders", json=body)
        assert placed.status_code == 201, placed.text
        console.become("sales")
        console.open(f"/orders/{placed.json()['id']}")
        console.wait_text("#order-live [data-status]", "pending")
        time.sleep(4)  # four polls' worth of waiting
        asked = console.driver.execute_script(
            "return performance.getEntriesByType('resource')"
            ".filter(e => e.name.includes('/live')).length"
        )
        assert asked <= 1
    finally:
        os.kill(worker, signal.SIGCONT)
    console.wait_text("#order-live [data-status]", "confirmed")
