"""HTTP entry points of sales orders: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

import json
import time

from flask import Response, current_app, request, stream_with_context
from flask_smorest import Blueprint

from erp_shared.actors import shown
from erp_shared.live_feeds import FEED_SECONDS, HEARTBEAT, HEARTBEAT_SECONDS, FeedRefused, FeedSlots
from erp_shared.web import (
    IDEMPOTENCY_KEY_DOC,
    caller,
    create_once,
    listed,
    only_own,
    own_customer,
    own_only,
    reading,
    settings,
    unit_of_work,
)
from orders.replicas import service as replicas
from orders.sales import schemas, service

blp = Blueprint("orders", __name__, url_prefix="/api/v1", description="Sales orders")
FEED_POLL_SECONDS = 0.5
RETRY_AFTER_DOC = {
    "description": "Seconds until a feed ends and frees its slot at the latest.",
    "schema": {"type": "integer", "minimum": 1},
}
FINAL = {"delivered", "rejected", "cancelled"}


@blp.record_once
def _feed_slots(state) -> None:
    state.app.extensions["orders_feed_slots"] = FeedSlots.configured()


@blp.route("/orders", methods=["POST"])
@blp.arguments(schemas.OrderIn())
@blp.response(201, schemas.OrderOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def place_order(data):
    """Place an order.

    Priced from the catalogue. Refused with 422 when the customer, a SKU or the campaign
    code is unknown (a campaign code must be one the CRM has planned), or the customer is
    blocked. A customer placing its own order does so on the `web` channel: another channel
    from a customer's token is refused with 403 naming `channel`."""
    only_own(data["customer_id"], f"No customer {data['customer_id']}.")
    by_customer = own_customer() is not None

    def place():
        return create_once(
            data,
            lambda uow, order: service.place_order(
                uow, order, caller(), settings().taxes, by_customer=by_customer
            ),
            service.get_order,
        )

    try:
        return place()
    except replicas.NotReplicated as missing:
        # Registered a moment ago, its event still on the way: its owner is asked once.
        authorization = request.headers.get("Authorization")
        found = replicas.read_from_owners(missing, settings().owner_urls, authorization)
        if found == (None, []):
            raise
        with unit_of_work() as uow:
            replicas.keep_from_owners(uow, *found)
        return place()


@blp.route("/orders", methods=["GET"])
@blp.arguments(schemas.OrderQuery(), location="query")
@blp.response(200, schemas.OrderPage)
def list_orders(query):
    with reading() as uow:
        mine = own_only(query)
        return listed(query, lambda offset, limit: service.list_orders(uow, mine, offset, limit))


@blp.route("/orders/<uuid:order_id>", methods=["GET"])
@blp.response(200, schemas.OrderTrackingOut)
def get_order(order_id):
    with reading() as uow:
        tracked = service.track_order(uow, order_id)
    only_own(tracked["order"].customer_id, f"No order {order_id}.")
    return tracked


@blp.route("/orders/<uuid:order_id>/events", methods=["GET"])
@blp.doc(
    summary="The order's status changes as Server-Sent Events",
    description=(
        f"A feed ends when the order is final or after {FEED_SECONDS:.0f} s; reconnect with "
        "Last-Event-ID. "
        "Each feed holds a server thread, so a user may follow a few at once and the server "
        "a bounded number; beyond those the answer is 429 or 503 with Retry-After."
    ),
    responses={
        "200": {"description": "text/event-stream of `status` events"},
        "429": {
            "description": "The caller already has its share of live feeds open.",
            "headers": {"Retry-After": RETRY_AFTER_DOC},
        },
        "503": {
            "description": "The server has as many live feeds open as it serves.",
            "headers": {"Retry-After": RETRY_AFTER_DOC},
        },
    },
)
def order_events(order_id):
    """Every status move as an SSE `status` event with id = its place in the history, from
    after Last-Event-ID; ends when the order is final or after FEED_SECONDS. A comment every
    HEARTBEAT_SECONDS while nothing moves lets the server see a client that left."""
    last = request.headers.get("Last-Event-ID", "")
    seen = int(last) if last.isascii() and last.isdigit() else 0
    with reading() as uow:
        only_own(service.get_order(uow, order_id).customer_id, f"No order {order_id}.")
    try:
        slot = current_app.extensions["orders_feed_slots"].take(caller())
    except FeedRefused as refused:
        return refused.answer()

    def feed():
        nonlocal seen
        yield "retry: 2000\n\n"
        began = wrote_at = time.monotonic()
        while time.monotonic() < began + FEED_SECONDS:
            with reading() as uow:
                changes = service.history_since(uow, order_id, seen)
            for change in changes:
                seen += 1
                data = {"status": change.status, "at": change.at.isoformat()}
                data |= {"reason": change.reason, "actor": shown(change.actor)}
                yield f"id: {seen}\nevent: status\ndata: {json.dumps(data)}\n\n"
            if changes and changes[-1].status in FINAL:
                return
            if changes:
                wrote_at = time.monotonic()
            elif time.monotonic() - wrote_at >= HEARTBEAT_SECONDS:
                yield HEARTBEAT
                wrote_at = time.monotonic()
            time.sleep(FEED_POLL_SECONDS)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    answer = Response(stream_with_context(feed()), mimetype="text/event-stream", headers=headers)
    # Called when the server closes the answer, however the feed ended (run out, final
    # order, client gone, never started).
    answer.call_on_close(slot.release)
    return answer


@blp.route("/orders/<uuid:order_id>/cancel", methods=["POST"])
@blp.arguments(schemas.CancelIn())
@blp.response(200, schemas.OrderOut)
def cancel_order(data, order_id):
    with unit_of_work() as uow:
        only_own(service.get_order(uow, order_id).customer_id, f"No order {order_id}.")
        return service.cancel_order(uow, order_id, data.get("reason"))


@blp.route("/orders/<uuid:order_id>/approve", methods=["POST"])
@blp.response(200, schemas.OrderOut)
def approve_order(order_id):
    with unit_of_work() as uow:
        return service.approve_order(uow, order_id)


@blp.route("/orders/<uuid:order_id>/ship", methods=["POST"])
@blp.arguments(schemas.ShipIn())
@blp.response(200, schemas.ShipOut)
def ship_order(data, order_id):
    with unit_of_work() as uow:
        return service.ship_order(uow, order_id, data, settings().payment_days)


@blp.route("/orders/<uuid:order_id>/deliver", methods=["POST"])
@blp.response(200, schemas.OrderOut)
def deliver_order(order_id):
    with unit_of_work() as uow:
        return service.deliver_order(uow, order_id)
