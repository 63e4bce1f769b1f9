"""A client app subscribed through the gateway is told of an order's confirmation by the
webhook worker `make up` runs: one signed POST to a receiver on loopback, verified with the
standardwebhooks library, carrying the order's id."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from erp_testing import wait_until
from erp_testing.webhook_receiver import Receiver

pytestmark = pytest.mark.e2e


def test_a_subscriber_is_told_once_of_a_confirmed_order_signed(system, record_property):
    system.create_stocked_product("HOOKED-KETTLE", 5)
    customer_id = system.create_customer()
    with Receiver() as receiver:
        made = system.call(
            "POST",
            "/webhooks",
            json={"url": receiver.url, "events": ["order.confirmed"], "description": "e2e"},
        )
        assert made.status_code == 201, made.text
        order = system.place_first_order(customer_id, "HOOKED-KETTLE", 2)
        assert wait_until(lambda: system.settled(order["id"]))["status"] == "confirmed"

        def told() -> list:
            return [
                each
                for each in receiver.of_type("order.confirmed")
                if each.event["data"]["order_id"] == order["id"]
            ]

        (arrival,) = wait_until(told, timeout=30)
        event = Webhook(made.json()["secret"]).verify(arrival.body, arrival.headers)
        assert event["type"] == "order.confirmed"
        assert arrival.headers["webhook-id"] == event["id"]
        # How long from the decision to the receipt: reported, not asserted (a loaded CI
        # machine is slow without anything being wrong).
        record_property("webhook_lag_seconds", round(arrival.lag, 3))
        print(f"order.confirmed reached the receiver {arrival.lag:.3f}s after the decision")
        system.call("DELETE", f"/webhooks/{made.json()['id']}")
