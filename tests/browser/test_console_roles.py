"""Each role signs in to the console and sees only the pages it may use; a page it may not
use, opened by its address, is refused by the API; the session lives in cookies no script
can read, and signing out ends it."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from erp_testing import wait_until
from erp_testing.system import ADMIN_PASSWORD
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.e2e

PAGES = {
    "admin": [
        "Dashboard",
        "Customers",
        "Orders",
        "New order",
        "To ship",
        "Stock",
        "Receive",
        "Reorder",
        "Invoices",
        "Returns",
        "Tickets",
        "Webhooks",
    ],
    "sales": ["Customers", "Orders", "New order", "Stock", "Invoices", "Returns", "Tickets"],
    "warehouse": ["Orders", "To ship", "Stock", "Receive", "Reorder", "Returns"],
    "support": ["Customers", "Orders", "Stock", "Invoices", "Returns", "Tickets"],
    "analyst": [
        "Dashboard",
        "Customers",
        "Orders",
        "Stock",
        "Reorder",
        "Invoices",
        "Returns",
        "Tickets",
    ],
    "customer": ["My account", "Orders", "New order", "Invoices", "Returns", "Tickets"],
}
LANDING = {
    "admin": "/dashboard",
    "sales": "/customers",
    "warehouse": "/shipping",
    "support": "/tickets",
    "analyst": "/dashboard",
    "customer": "/orders",
}
# A page each role is not shown, opened by its address anyway.
REFUSED = {
    "sales": "/dashboard",
    "warehouse": "/customers",
    "support": "/shipping",
    "analyst": "/receipts/new",
    "customer": "/stock",
}


@pytest.mark.parametrize("role", list(PAGES))
def test_each_role_sees_only_its_pages_and_the_api_refuses_the_rest(console, role):
    console.sign_in(role)
    assert console.driver.current_url.split("?")[0].endswith(LANDING[role])
    assert console.nav() == PAGES[role]
    assert console.foreign_requests() == []
    if role in REFUSED:
        console.open(REFUSED[role])
        console.wait_text(".problem h2", "Not for your role")


def test_the_session_cookies_are_out_of_scripts_reach_and_signing_out_ends_it(console):
    console.sign_in("sales")
    cookies = {c["name"]: c for c in console.driver.get_cookies()}
    for name in ("erp_access", "erp_refresh", "erp_csrf"):
        assert cookies[name]["httpOnly"] and cookies[name]["sameSite"] == "Strict"
    # The one cookie a script reads is when the session ends (a time, no secret).
    readable = console.driver.execute_script("return document.cookie")
    assert re.fullmatch(r"erp_session_ends=\d+", readable), readable
    console.sessions.pop("sales")  # signed out below: nobody may reuse it
    console.find("form.who button").click()
    console.wait(lambda d: "/sign-in" in d.current_url)
    console.open("/customers")
    console.wait(lambda d: "/sign-in?next=/customers" in d.current_url)
    console.screenshot("sign-in")


def test_pages_may_load_nothing_from_elsewhere_and_forms_need_their_csrf_value(console):
    page = httpx.get(f"{console.url}/sign-in")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert page.headers["Cache-Control"] == "no-store"
    forged = httpx.post(
        f"{console.url}/sign-in", data={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert forged.status_code == 403
    assert "erp_access" not in forged.cookies


def test_the_api_viewer_loads_nothing_from_elsewhere(console):
    console.open("/api/v1/docs")
    console.wait_text(".swagger-ui .title", "ERP sales management API")
    assert console.foreign_requests() == []


@pytest.mark.parametrize("path", ["/dashboard", "/orders/new", "/shipping", "/tickets"])
def test_pages_fit_a_tablet_without_sideways_scrolling(console, path):
    console.become("admin")
    with console.width(768, 1024):
        console.open(path)
        console.find("main h1")
        assert console.driver.execute_script("return document.documentElement.scrollWidth") <= 768


def test_a_page_that_does_not_exist_is_said_in_the_console_with_its_menu(console):
    console.become("sales")
    console.open("/ordres/yesterday")
    assert console.text_of(".problem h2") == "Not found"
    assert "Orders" in console.nav()


def test_a_form_sent_after_the_session_ended_comes_back_filled_in_after_signing_in(console):
    console.become("sales")
    console.open("/customers/new")
    console.type("#name", "Zhao Lei")
    console.type("#email", "zhao.lei@example.cn")
    for cookie in ("erp_access", "erp_refresh"):  # the session ends while the form is filled
        console.driver.delete_cookie(cookie)
    console.find("main form button.primary").click()
    console.find("[data-session-ended]")
    console.type("#username", "sales-user")
    console.type("#password", PASSWORD)
    console.find("main form button[type=submit]").click()
    console.wait(lambda d: d.current_url.endswith("/customers/new"))
    assert console.find("#name").get_attribute("value") == "Zhao Lei"
    assert console.find("#email").get_attribute("value") == "zhao.lei@example.cn"
    console.sessions["sales"] = console.driver.get_cookies()


def test_a_customer_reads_its_own_details_and_a_plain_history_not_internal_data(console):
    system, seeded = console.system, console.seeded
    order = system.place_first_order(seeded.customer_id, seeded.skus[0], 1)
    wait_until(lambda: system.settled(order["id"]), timeout=15)
    console.become("customer")
    console.open(f"/customers/{seeded.customer_id}")
    record = console.text_of("main .facts")
    assert "上海明远贸易有限公司" in record and "Credit limit" not in record
    assert console.all("[data-internal]") == []
    console.open(f"/orders/{order['id']}")
    history = console.text_of("#order-live .history")
    assert "confirmed" in history and "inventory:" not in history and "by " not in history


def test_a_page_warns_before_the_session_ends(console):
    console.become("sales")
    console.open("/customers")
    assert console.driver.find_element("id", "session-ending").is_displayed() is False
    ends = console.driver.get_cookie("erp_session_ends")
    assert ends and int(ends["value"]) > time.time() + 3600  # a fresh session: days away
    console.driver.delete_cookie("erp_session_ends")
    console.driver.add_cookie({**ends, "value": str(int(time.time()) + 120)})
    console.open("/customers")
    console.wait(lambda d: d.find_element("id", "session-ending").is_displayed())
    console.sessions.pop("sales", None)  # the doctored cookie is not a session to reuse


def test_two_tabs_renewing_the_session_at_once_both_stay_signed_in(console):
    """Two pages of one browser asking at the same moment, just after the access token ran
    out: both renew from the same refresh token, and neither signs the user out."""
    console.sign_in("sales")
    console.driver.delete_cookie("erp_access")  # run out
    answers = console.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all(['/orders', '/customers'].map(path => fetch(path, {redirect: 'manual'})"
        ".then(r => [r.status, r.type]))).then(done)"
    )
    assert answers == [[200, "basic"], [200, "basic"]]
    console.open("/orders")
    console.find("#results")
    assert "/sign-in" not in console.driver.current_url
    console.sessions["sales"] = console.driver.get_cookies()
