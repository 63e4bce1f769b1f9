"""Events reach subscribers as signed POSTs, each event once per subscriber: through the bus
to a receiver that verifies the signature with the standardwebhooks library; again and again,
same webhook-id, to one that fails and recovers, in order per order; never past a redirect;
again after a dispatcher died between sending and recording; and a receiver that fails for a
day gets its subscription disabled with the reason in the log.

The dispatcher's clock is the test's: a day of retries passes in a moment."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from erp_shared import metrics
from erp_shared.bus import Consumer
from erp_shared.db import utcnow
from erp_shared.events import new_event, parse_event
from erp_testing import RunningConsumer, bearer, publish_raw, service_app, wait_until
from erp_testing.webhook_receiver import Receiver
from gateway.tables import webhook_deliveries
from gateway.webhooks import domain, service
from gateway.webhooks.dispatcher import ClockedUnitOfWork, Dispatcher
from gateway.webhooks.handlers import HANDLERS

pytestmark = pytest.mark.integration

WEBHOOKS = "/api/v1/webhooks"
SETTLED = {"order_id": "o-1", "reason": None}


class Clock:
    """The dispatcher's time: the wall's, moved on by the test."""

    def __init__(self):
        self.ahead = timedelta(0)

    def __call__(self):
        return utcnow() + self.ahead

    def advance(self, by: timedelta) -> None:
        self.ahead += by

    def move_to(self, when) -> None:
        self.ahead = max(self.ahead, when - utcnow())


@pytest.fixture
def gateway(databases, amqp_url, bus_prefix):
    return service_app("gateway", databases.new("sqlite"), amqp_url, bus_prefix)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def dispatcher(gateway, clock):
    extensions = gateway.extensions
    return Dispatcher(
        extensions["erp_engine"], extensions["erp_settings"], clock=clock, rng=random.Random(3)
    )


def subscribe(gateway, url: str, events=("order.confirmed", "order.shipped")) -> dict:
    body = {"url": url, "events": list(events)}
    made = gateway.test_client().post(WEBHOOKS, json=body, headers=bearer())
    assert made.status_code == 201, made.json
    return made.json


def webhook(gateway, subscription_id: str) -> dict:
    return gateway.test_client().get(f"{WEBHOOKS}/{subscription_id}", headers=bearer()).json


def delivery_log(gateway, subscription_id: str) -> list[dict]:
    url = f"{WEBHOOKS}/{subscription_id}/deliveries"
    return gateway.test_client().get(url, headers=bearer()).json["items"]


def take(gateway, event_type: str, data: dict) -> dict:
    """The event as the webhook worker's consumer takes it from the bus; its envelope."""
    envelope = new_event(event_type, data, producer="orders")
    extensions = gateway.extensions
    Consumer(extensions["erp_engine"], extensions["erp_settings"], HANDLERS).apply(
        [parse_event(envelope)]
    )
    return envelope


def next_due(gateway, after):
    """When the earliest pending delivery due after `after` is due; None if there is none."""
    with gateway.extensions["erp_engine"].connect() as conn:
        return conn.execute(
            select(func.min(webhook_deliveries.c.next_attempt_at)).where(
                webhook_deliveries.c.status == "pending",
                webhook_deliveries.c.next_attempt_at > after,
            )
        ).scalar()


def next_round(dispatcher, clock, gateway) -> bool:
    """One dispatch; if nothing was due, the clock moved on to when something is. False when
    nothing is pending any more."""
    if dispatcher.dispatch_once():
        return True
    due = next_due(gateway, clock())
    if due is None:
        return False
    clock.move_to(due)
    return True


def until_nothing_pending(gateway, dispatcher, clock, rounds: int = 50) -> None:
    for _ in range(rounds):
        if not next_round(dispatcher, clock, gateway):
            return
    pytest.fail(f"deliveries still pending after {rounds} rounds")


def duplicates_taken() -> float:
    return metrics.EVENTS_DUPLICATE.labels("gateway", "order.confirmed")._value.get()


def test_a_receiver_gets_order_confirmed_from_the_bus_signed_and_once(
    gateway, amqp_url, bus_prefix
):
    settings = gateway.extensions["erp_settings"]
    engine = gateway.extensions["erp_engine"]
    with Receiver(204) as receiver:
        secret = subscribe(gateway, receiver.url)["secret"]
        envelope = new_event("order.confirmed", SETTLED, producer="orders")
        body = json.dumps(envelope).encode()
        dispatcher = Dispatcher(engine, settings)
        duplicates = duplicates_taken()
        with RunningConsumer(engine, settings, HANDLERS):
            publish_raw(amqp_url, settings.exchange, "order.confirmed", body)
            # The same event again, as a relay that died before marking it sent publishes it.
            publish_raw(amqp_url, settings.exchange, "order.confirmed", body)
            wait_until(lambda: duplicates_taken() > duplicates, timeout=10)
            wait_until(lambda: dispatcher.dispatch_once() or receiver.received, timeout=10)
        assert dispatcher.dispatch_once() == 0

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.headers["content-type"] == "application/json"
    assert got.webhook_id == envelope["id"]
    payload = Webhook(secret).verify(got.body, got.headers)
    assert payload["type"] == "order.confirmed" and payload["data"]["order_id"] == "o-1"


def test_a_receiver_failing_five_times_then_recovering_gets_every_event_in_order(
    gateway, dispatcher, clock
):
    with Receiver(500, 500, 500, 500, 500, 204) as receiver:
        subscription = subscribe(gateway, receiver.url)
        events = [
            take(gateway, "order.confirmed", {"order_id": "o-1"}),
            take(gateway, "order.confirmed", {"order_id": "o-2"}),
            take(gateway, "order.shipped", {"order_id": "o-1", "lines": []}),
            take(gateway, "order.shipped", {"order_id": "o-2", "lines": []}),
        ]
        until_nothing_pending(gateway, dispatcher, clock)

    ids = {event["id"] for event in events}
    assert sorted(each.webhook_id for each in receiver.delivered()) == sorted(ids)
    assert {each.webhook_id for each in receiver.received} == ids
    for order in ("o-1", "o-2"):
        confirmed, shipped = (e["id"] for e in events if e["data"]["order_id"] == order)
        first_shipped = next(
            i for i, each in enumerate(receiver.received) if each.webhook_id == shipped
        )
        confirmed_at = next(
            i
            for i, each in enumerate(receiver.received)
            if each.webhook_id == confirmed and each.answered == 204
        )
        assert confirmed_at < first_shipped, f"{order} shipped was sent before it was confirmed"
    for each in receiver.received:
        assert json.loads(each.body)["id"] == each.webhook_id
    log = delivery_log(gateway, subscription["id"])
    assert {entry["status"] for entry in log} == {"delivered"}
    assert sum(len(entry["log"]) for entry in log) == len(receiver.received)
    assert webhook(gateway, subscription["id"])["status"] == "active"


def test_a_receiver_that_keeps_failing_is_disabled_after_a_day_and_the_log_says_why(
    gateway, dispatcher, clock
):
    started = clock()
    with Receiver(503) as receiver:
        subscription = subscribe(gateway, receiver.url)
        take(gateway, "order.confirmed", {"order_id": "o-1"})
        for _ in range(100):
            if webhook(gateway, subscription["id"])["status"] == "disabled":
                break
            next_round(dispatcher, clock, gateway)
        tried = len(receiver.received)
        take(gateway, "order.shipped", {"order_id": "o-1", "lines": []})
        clock.advance(timedelta(days=1))
        assert dispatcher.dispatch_once() == 0

    disabled = webhook(gateway, subscription["id"])
    assert disabled["status"] == "disabled"
    assert "HTTP 503" in disabled["disabled_reason"]
    assert clock() - started >= domain.GIVE_UP_AFTER
    assert len(receiver.received) == tried, "a disabled subscription was sent to"
    [delivery] = delivery_log(gateway, subscription["id"])
    assert delivery["status"] == "pending" and delivery["failures"] == tried
    assert {attempt["status_code"] for attempt in delivery["log"]} == {503}


def test_a_redirect_is_not_followed(gateway, dispatcher):
    with Receiver(204) as elsewhere, Receiver(302, location=elsewhere.url) as receiver:
        subscription = subscribe(gateway, receiver.url)
        take(gateway, "order.confirmed", {"order_id": "o-1"})
        assert dispatcher.dispatch_once() == 1

    assert len(receiver.received) == 1 and elsewhere.received == []
    [delivery] = delivery_log(gateway, subscription["id"])
    assert delivery["status"] == "pending"
    assert delivery["log"][0]["status_code"] == 302


def test_a_dispatcher_that_dies_after_sending_is_followed_by_a_resend_with_the_same_id(
    gateway, dispatcher, clock
):
    with Receiver(204) as receiver:
        subscription = subscribe(gateway, receiver.url)
        event = take(gateway, "order.confirmed", {"order_id": "o-1"})
        [held] = dispatcher.claim()
        assert dispatcher.send(held).delivered  # ... and it dies before recording
        assert dispatcher.dispatch_once() == 0, "a held delivery was sent again at once"
        clock.advance(domain.SENDING_LEASE + timedelta(seconds=1))
        assert dispatcher.dispatch_once() == 1
        assert dispatcher.dispatch_once() == 0

    assert [each.webhook_id for each in receiver.received] == [event["id"], event["id"]]
    [delivery] = delivery_log(gateway, subscription["id"])
    assert delivery["status"] == "delivered" and len(delivery["log"]) == 1


def test_after_a_rotation_both_secrets_sign_until_the_grace_period_ends(gateway, dispatcher, clock):
    with Receiver(204) as receiver:
        subscription = subscribe(gateway, receiver.url)
        rotated = gateway.test_client().post(
            f"{WEBHOOKS}/{subscription['id']}/secret", headers=bearer()
        )
        take(gateway, "order.confirmed", {"order_id": "o-1"})
        dispatcher.dispatch_once()
        clock.advance(domain.SECRET_GRACE)
        take(gateway, "order.confirmed", {"order_id": "o-2"})
        dispatcher.dispatch_once()

    during, after = receiver.received
    for secret in (subscription["secret"], rotated.json["secret"]):
        Webhook(secret).verify(during.body, during.headers)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription["secret"]).verify(during.body, {**during.headers, "webhook-id": "x"})


def test_a_replay_sends_the_delivered_events_again_with_their_ids(gateway, dispatcher):
    with Receiver(204) as receiver:
        subscription = subscribe(gateway, receiver.url)
        since = utcnow()
        event = take(gateway, "order.confirmed", {"order_id": "o-1"})
        dispatcher.dispatch_once()
        replayed = gateway.test_client().post(
            f"{WEBHOOKS}/{subscription['id']}/replay",
            query_string={"since": since.isoformat()},
            headers=bearer(),
        )
        assert replayed.status_code == 202 and replayed.json == {"replayed": 1}
        dispatcher.dispatch_once()

    assert [each.webhook_id for each in receiver.received] == [event["id"], event["id"]]


def test_the_log_forgets_delivered_events_after_thirty_days_and_keeps_what_is_owed(
    gateway, dispatcher, clock
):
    with Receiver(204, 503) as receiver:
        subscription = subscribe(gateway, receiver.url)
        take(gateway, "order.confirmed", {"order_id": "o-1"})
        dispatcher.dispatch_once()
        owed = take(gateway, "order.shipped", {"order_id": "o-2", "lines": []})
        dispatcher.dispatch_once()
    assert [each.answered for each in receiver.received] == [204, 503]
    clock.advance(domain.DELIVERIES_KEPT + timedelta(hours=1))
    with ClockedUnitOfWork(
        gateway.extensions["erp_engine"], "gateway", clock, actor="chore"
    ) as uow:
        assert service.forget_old_deliveries(uow) == 1
    log = delivery_log(gateway, subscription["id"])
    assert [(entry["event_id"], entry["status"]) for entry in log] == [(owed["id"], "pending")]


def test_a_paused_subscription_is_owed_nothing_and_an_event_type_not_taken_neither(
    gateway, dispatcher
):
    with Receiver(204) as receiver:
        paused = subscribe(gateway, receiver.url)
        gateway.test_client().patch(
            f"{WEBHOOKS}/{paused['id']}", json={"status": "paused"}, headers=bearer()
        )
        subscribe(gateway, receiver.url, events=["stock.low"])
        take(gateway, "order.confirmed", {"order_id": "o-1"})
        assert dispatcher.dispatch_once() == 0
    assert receiver.received == []
