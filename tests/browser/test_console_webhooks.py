"""An admin keeps a webhook from the console: subscribes a receiver on this machine (any http
URL goes in development), is shown its signing secret once, pauses and resumes it, rotates the
secret, reads in its delivery log the answer to an order's confirmation, replays, and deletes
it. A form sent wrong is answered beside the field, with the cursor there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from standardwebhooks import Webhook

from erp_testing import wait_until
from erp_testing.webhook_receiver import Receiver

pytestmark = pytest.mark.e2e


def subscribe(console, url: str) -> str:
    """Add the webhook through the form, first sent without an event type; its secret."""
    console.find('header nav a[data-page="webhooks"]').click()
    console.find("main a.button.primary").click()
    console.type("#url", url)
    console.find("main form button.primary").click()
    console.find('[data-error-for="events"]')
    assert console.driver.switch_to.active_element.get_attribute("name") == "events"
    console.screenshot("webhook-new-refused")
    console.find('input[name="events"][value="order.confirmed"]').click()
    console.type("#description", "Shop front")
    console.find("main form button.primary").click()
    secret = console.find("#secret").get_attribute("value")
    assert secret.startswith("whsec_")
    assert "it will not be shown again" in console.text_of("[data-secret-shown-once]")
    return secret


def test_an_admin_subscribes_pauses_rotates_reads_the_log_and_deletes(console):
    with Receiver() as receiver:
        console.become("admin")
        secret = subscribe(console, receiver.url)
        console.screenshot("webhook-secret")
        page = console.driver.current_url  # the webhook's own page, not the form's address
        assert "/webhooks/" in page and not page.endswith("/new")
        console.driver.refresh()
        console.find("[data-url]")
        assert console.all("#secret") == []

        console.find('[data-action="pause"]').click()
        console.wait_text("h1 [data-status]", "paused")
        console.find('[data-action="resume"]').click()
        console.wait_text("h1 [data-status]", "active")

        console.find('[data-confirm="rotate"] summary').click()
        console.find('[data-action="rotate"]').click()
        rotated = console.find("#secret").get_attribute("value")
        assert rotated.startswith("whsec_") and rotated != secret
        assert "24 hours" in console.text_of("[data-secret-shown-once]")

        system, seeded = console.system, console.seeded
        order = system.place_first_order(seeded.customer_id, seeded.skus[0], 1)
        wait_until(lambda: system.settled(order["id"]), timeout=15)
        wait_until(lambda: receiver.received, timeout=15)
        headers, body = receiver.received[0].headers, receiver.received[0].body
        assert Webhook(rotated).verify(body, headers)["data"]["order_id"] == order["id"]

        console.open(page.removeprefix(console.url))
        console.wait_text("[data-delivery] [data-response]", "204")
        assert console.text_of("[data-delivery] [data-attempts]") == "1"
        console.screenshot("webhook")

        console.find('[data-action="replay"]').click()
        console.find('[data-error-for="since"]')
        assert console.driver.switch_to.active_element.get_attribute("id") == "since"
        an_hour_ago = f"{datetime.now(UTC) - timedelta(hours=1):%Y-%m-%dT%H:%M}"
        console.driver.execute_script(
            "document.getElementById('since').value = arguments[0]", an_hour_ago
        )
        console.find('[data-action="replay"]').click()
        console.wait_text('[data-notice="replayed"]', "1 delivery is sent again")

        console.find('header nav a[data-page="webhooks"]').click()
        row = console.find(f'[data-webhook="{page.rsplit("/", 1)[1]}"]')
        assert receiver.url in row.text and "active" in row.text
        console.screenshot("webhooks")
        row.find_element(By.CSS_SELECTOR, "a").click()

        console.find('[data-confirm="delete"] summary').click()
        console.find('[data-action="delete"]').click()
        console.find('[data-notice="unsubscribed"]')
        assert all(receiver.url not in row.text for row in console.all("[data-webhook]"))
