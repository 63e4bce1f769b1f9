"""The desks' daily work in the console: sales finds a customer as they type, support
answers a ticket, the warehouse turns a reorder alert into a receipt."""

from __future__ import annotations

import pytest

from erp_testing import unique, wait_until

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
    # Drafted at what the newest lot cost; the clerk types what this delivery costs.
    assert console.find("#lines-0-unit_cost").get_attribute("value") == "21.00"
    console.type("#lines-0-unit_cost", "21.50")
    console.find("form button.primary").click()
    console.wait(lambda d: f"/stock/{sku}?" in d.current_url)
    assert console.text_of("[data-notice]") == "The goods are received."
    assert console.text_of("[data-available]") == "27"
    console.screenshot("stock-item")


def test_the_warehouse_receives_three_lines_laid_out_as_a_table(console):
    skus = console.seeded.skus
    before = {sku: console.system.call("GET", f"/stock/{sku}").json()["on_hand"] for sku in skus}
    console.become("warehouse")
    console.open("/receipts/new")
    for row in range(3):
        inputs = [console.find(f"#lines-{row}-{name}") for name in ("sku", "quantity", "unit_cost")]
        tops = {round(field.rect["y"]) for field in inputs}
        lefts = [field.rect["x"] for field in inputs]
        assert len(tops) == 1 and lefts == sorted(lefts), f"line {row + 1} is not one row"
    assert console.overflowing() == []
    # Typed as people write numbers: "1,005" is a thousand and five.
    for row, (sku, quantity) in enumerate(((skus[0], "1,005"), (skus[1], "2"), (skus[0], "1"))):
        console.type(f"#lines-{row}-sku", sku)
        console.type(f"#lines-{row}-quantity", quantity)
        console.type(f"#lines-{row}-unit_cost", "1,080.00")
    console.screenshot("receive-goods")
    console.find("main form button.primary").click()
    console.wait(lambda d: "/stock/" in d.current_url)
    after = {sku: console.system.call("GET", f"/stock/{sku}").json()["on_hand"] for sku in skus}
    assert after == {skus[0]: before[skus[0]] + 1006, skus[1]: before[skus[1]] + 2}


def test_the_warehouse_finds_a_product_by_name_and_enters_a_count_as_counted(console):
    sku = unique("TEAPOT-")
    made = console.system.call(
        "POST", "/products", json={"sku": sku, "name": "Tea pot 紫砂壶", "unit_price": "45.00"}
    )
    assert made.status_code == 201, made.text
    line = {"sku": sku, "quantity": 12, "unit_cost": "20.00"}
    assert console.system.call("POST", "/receipts", json={"lines": [line]}).status_code == 201
    console.become("warehouse")
    console.open("/stock")
    console.type("#q", "紫砂")
    console.wait(lambda d: "q=" in d.current_url)
    console.wait_text("#results", sku)
    assert [cell.text for cell in console.all("#results [data-name]")] == ["Tea pot 紫砂壶"]
    console.find(f"#results a[href='/stock/{sku}']").click()
    console.type("#counted", "10")
    console.type("#reason", "Monthly count: two broken")
    console.find("form[action$='/adjust'] button").click()
    console.wait_text("[data-notice]", "The count is recorded.")
    assert console.system.call("GET", f"/stock/{sku}").json()["on_hand"] == 10
    console.type("#counted", "10")
    console.type("#reason", "Counted again")
    console.find("form[action$='/adjust'] button").click()
    console.wait_text("[data-error-for=counted]", "10 is what the books hold")


def test_support_links_a_ticket_to_an_order_gives_it_to_someone_and_must_say_how_it_ended(
    console,
):
    customer_id = console.seeded.customer_id
    order = console.system.place_first_order(customer_id, console.seeded.skus[0], 1)
    wait_until(lambda: console.system.settled(order["id"]), timeout=15)
    opened = console.system.call(
        "POST",
        "/tickets",
        json={"customer_id": customer_id, "subject": f"Wrong colour {unique()}",
              "description": "It came in red."},
    )  # fmt: skip
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["id"]
    console.become("support")
    console.open(f"/tickets/{ticket_id}")
    console.find(f"#order_id option[value='{order['id']}']").click()
    console.type("#assignee", "li.na")
    console.find("form[action$='/details'] button").click()
    console.wait_text("[data-notice]", "Saved.")
    assert console.text_of("main .meta [data-order]") == order["number"]
    assert f"linked it to order {order['number']}" in console.text_of("#conversation .history")
    assert "handled by li.na" in console.text_of("main .meta")
    console.find("#status option[value=resolved]").click()
    console.find("form[action$='/status'] button").click()
    console.wait_text("[data-error-for=resolution]", "Say what was done")
    assert console.system.call("GET", f"/tickets/{ticket_id}").json()["status"] == "open"
    assert console.overflowing() == []


def test_sales_records_a_customer_with_its_addresses_and_a_limit_typed_as_people_do(console):
    console.become("sales")
    console.open("/customers/new")
    email = f"{unique('wang-')}@example.cn"
    for field, text in (
        ("#name", "王芳"), ("#email", email), ("#company", "明远贸易"), ("#credit_limit", "5,000"),
        ("#billing_line1", "浦东新区世纪大道100号"), ("#billing_postal_code", "200120"),
        ("#billing_city", "上海"), ("#billing_country", "cn"),
    ):  # fmt: skip
        console.type(field, text)
    console.find("#language option[value=zh_CN]").click()
    assert console.overflowing() == []
    console.find("main form button.primary").click()
    console.wait_text("[data-notice]", "the customer is recorded")
    customer_id = console.driver.current_url.split("/customers/")[1].split("?")[0]
    record = console.system.call("GET", f"/customers/{customer_id}").json()
    assert record["credit_limit"] == "5000.00" and record["language"] == "zh_CN"
    billing = {"kind": "billing", "line1": "浦东新区世纪大道100号", "city": "上海",
               "postal_code": "200120", "country": "CN"}  # fmt: skip
    assert record["addresses"] == [billing]
    console.open(f"/customers/{customer_id}/edit")
    assert console.find("#billing_city").get_attribute("value") == "上海"
    console.type("#email", "not an address")
    console.find("main form button.primary").click()
    console.find("#email[aria-invalid=true]")
    assert console.driver.switch_to.active_element.get_attribute("id") == "email"
