"""A client app subscribed through the gateway is told of an order's confirmation by the
webhook worker `make up` runs: one signed POST to a receiver on loopback, verified with the
standardwebhooks library, carrying the order's id; and told again, with the same webhook-id,
when the worker was killed while the receiver had not answered yet."""

from __future__ import annotations

import threading

import pytest
from standardwebhooks.webhooks import Webhook

from erp_testing import wait_until
from erp_testing.faults import kill_outright, relaunch
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


def test_a_worker_killed_mid_delivery_sends_it_again_with_the_same_id(system):
    """SIGKILL while the receiver holds its answer: the delivery was never recorded, so once
    its lease (60 s) ends the relaunched worker sends it again, same webhook-id, and the log
    has it delivered once."""
    system.create_stocked_product("HOOKED-LAMP", 5)
    customer_id = system.create_customer()
    hold = threading.Event()
    with Receiver(hold=hold) as receiver:
        body = {"url": receiver.url, "events": ["order.confirmed"], "description": "killed"}
        made = system.call("POST", "/webhooks", json=body)
        assert made.status_code == 201, made.text
        system.place_first_order(customer_id, "HOOKED-LAMP", 1)
        (caught,) = wait_until(lambda: receiver.received, timeout=30)
        launch = kill_outright(int(system.pid_file("gateway-webhooks").read_text()))
        hold.set()
        relaunch(system, "gateway-webhooks", launch)
        first, again = wait_until(lambda: receiver.received[1:] and receiver.received, 120)
        assert again.webhook_id == first.webhook_id == caught.webhook_id
        Webhook(made.json()["secret"]).verify(again.body, again.headers)
        log = system.call("GET", f"/webhooks/{made.json()['id']}/deliveries").json()["items"]
        assert [(entry["event_id"], entry["status"]) for entry in log] == [
            (first.webhook_id, "delivered")
        ]
        system.call("DELETE", f"/webhooks/{made.json()['id']}")
