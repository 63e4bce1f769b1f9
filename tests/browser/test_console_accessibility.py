"""Every console page passes axe-core (Deque's accessibility engine, the npm package pinned in
tests/browser/package-lock.json, injected through Selenium) with no serious or critical
violation, in English and in Chinese; and an order can be placed with the keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys

from erp_testing import wait_until

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed at {AXE}: run `npm ci --prefix tests/browser` "
            "(.ci/run does)",
            pytrace=False,
        )
    return AXE.read_text()


def violations(console, axe_source: str) -> list[str]:
    console.wait(
        lambda d: d.execute_script("return document.querySelector('.htmx-request') === null")
    )
    console.driver.execute_script(axe_source)
    found = console.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def pages(console) -> list[str]:
    system, seeded = console.system, console.seeded
    order = system.place_first_order(seeded.customer_id, seeded.skus[0], 1)
    wait_until(lambda: system.settled(order["id"]), timeout=15)
    shipped = system.call("POST", f"/orders/{order['id']}/ship", json={"carrier": "SF"}).json()
    ticket = system.call(
        "POST",
        "/tickets",
        json={"customer_id": seeded.customer_id, "subject": "Scratch", "description": "On top"},
    ).json()
    # A receiver nobody listens on, for an event no test makes: nothing is ever sent to it.
    webhook = system.call(
        "POST",
        "/webhooks",
        json={"url": "http://127.0.0.1:9/hooks", "events": ["campaign.planned"]},
    ).json()
    return [
        "/customers", f"/customers/{seeded.customer_id}", "/customers/new", "/orders",
        f"/orders/{order['id']}", "/orders/new", "/shipping", "/stock", f"/stock/{seeded.skus[0]}",
        "/receipts/new", "/reorder-alerts", "/returns", "/tickets", f"/tickets/{ticket['id']}",
        "/invoices", f"/invoices/{shipped['invoice_id']}", "/dashboard", "/orders/import",
        "/history/import", f"/customers/{seeded.customer_id}/edit", "/tickets/new", "/no-such-page",
        "/webhooks", "/webhooks/new", f"/webhooks/{webhook['id']}",
    ]  # fmt: skip


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_page_passes_axe_in_both_languages(console, axe_source, language):
    console.become("admin")
    console.driver.add_cookie({"name": "erp_lang", "value": language, "path": "/"})
    found = {}
    try:
        for path in pages(console):
            console.open(path)
            console.find("main h1, main h2")
            if path == "/dashboard":
                console.find("#segments table, #segments .empty")
            found[path] = violations(console, axe_source)
        console.driver.delete_all_cookies()
        console.open("/sign-in")
        console.driver.add_cookie({"name": "erp_lang", "value": language, "path": "/"})
        console.open("/sign-in")
        found["/sign-in"] = violations(console, axe_source)
    finally:
        console.driver.delete_cookie("erp_lang")
        console.sessions.pop("admin", None)
    assert {path: v for path, v in found.items() if v} == {}


def test_an_order_is_placed_with_the_keyboard_alone(console):
    """Tab to a field, type, Enter or Space to act: no mouse."""
    console.become("sales")
    console.open("/orders/new")
    seeded = console.seeded
    console.find("#customer-q").send_keys(seeded.customer_name.split()[-1])
    console.find("#customer-choices button").send_keys(Keys.ENTER)
    console.wait_text("[data-chosen-customer]", seeded.customer_name)
    console.find("#product-q").send_keys(seeded.skus[0])
    console.find(f'#product-choices button[data-sku="{seeded.skus[0]}"]').send_keys(Keys.ENTER)
    quantity = console.find("#lines-0-quantity")
    quantity.send_keys(Keys.CONTROL, "a")
    quantity.send_keys("2")
    console.wait_text("#order-totals [data-subtotal]", "298.00")
    console.find("#order-form button[type=submit]").send_keys(Keys.ENTER)
    console.wait_text("#order-live [data-status]", "confirmed")
