"""Orders after they are placed: the list, one order with its status as it changes, and what
can be done to it next (cancel, ship, deliver, its invoice)."""

from __future__ import annotations

from flask import Response, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.console import forms
from gateway.console.blueprint import console, needs
from gateway.console.client import ApiError

STATUSES = ("pending", "confirmed", "rejected", "shipped", "delivered", "cancelled")
CHANNELS = ("web", "phone", "email", "store", "marketplace", "api")
FILTERS = ("q", "status", "channel", "customer_id", "from", "to")
# How often an open order page asks whether its order moved on: quickly while the saga is
# deciding, then at a pace that still shows a shipment or delivery made elsewhere.
POLL_DECIDING, POLL_SETTLED = 1, 5


@console.route("/orders", methods=["GET"])
def orders():
    filters = {name: request.args.get(name, "").strip() for name in FILTERS}
    listing = g.user.page("/orders", **filters)
    return render_template(
        "console/orders.html",
        listing=listing,
        filters=filters,
        statuses=STATUSES,
        channels=CHANNELS,
    )


def order_page(order_id: str, errors: dict | None = None, status: int = 200):
    user = g.user
    order = user.fetch(f"/orders/{order_id}")
    customer = user.send("GET", f"/customers/{order['customer_id']}")
    returns = None
    if user.can("GET", "/returns"):
        returns = user.fetch("/returns", order_id=order_id, per_page=50)["items"]
    page = render_template(
        "console/order.html",
        order=order,
        customer=customer.json if customer.ok else None,
        returns=returns,
        can_come_back=can_come_back(order, returns or []),
        errors=errors or {},
        poll=_poll(order),
    )
    return page, status


def can_come_back(order: dict, returns: list[dict]) -> dict[str, int]:
    """Units of each SKU a new return may still ask for: shipped, less what came back, less
    what a return already asked for and the warehouse has not received yet."""
    asked: dict[str, int] = {}
    for ret in returns:
        if ret["status"] == "requested":
            for line in ret["lines"]:
                asked[line["sku"]] = asked.get(line["sku"], 0) + line["quantity"]
    left = {}
    for line in order["lines"]:
        units = line["shipped"] - line["returned"] - asked.get(line["sku"], 0)
        if units > 0:
            left[line["sku"]] = units
    return left


def _seen(order: dict) -> str:
    """What the page last showed of the order's progress."""
    return f"{order['status']}:{len(order['history'])}:{len(order.get('shipments') or [])}"


def _poll(order: dict) -> dict:
    every = POLL_DECIDING if order["status"] == "pending" else POLL_SETTLED
    return {"seen": _seen(order), "every": every}


@console.route("/orders/<uuid:order_id>", methods=["GET"])
def order(order_id: str):
    return order_page(order_id)


@console.route("/orders/<uuid:order_id>/live", methods=["GET"])
def order_live(order_id: str):
    """The order's status, history and next steps, when they differ from what the page shows
    (`seen`); 204 otherwise, so htmx leaves the page alone."""
    order = g.user.fetch(f"/orders/{order_id}")
    if _seen(order) == request.args.get("seen"):
        return Response(status=204)
    return render_template("console/_order_live.html", order=order, errors={}, poll=_poll(order))


@console.route("/orders/<uuid:order_id>/cancel", methods=["POST"])
def cancel_order(order_id: str):
    """Cancelled only with a reason, which the order's history keeps for whoever asks why."""
    reason = forms.given("reason")
    if not reason:
        return order_page(order_id, {"reason": _("Say why the order is cancelled.")}, 422)
    answer = g.user.send("POST", f"/orders/{order_id}/cancel", reason)
    if answer.ok:
        return redirect(url_for("console.order", order_id=order_id, done="cancelled"))
    return order_page(order_id, {"form": answer.detail, **answer.errors}, answer.status)


def _shipment() -> tuple[dict, dict]:
    """What the warehouse typed, and what it forgot: a carrier always, a tracking number unless
    it says the parcel has none (an order shipped with neither cannot be traced by anyone)."""
    body = forms.given("carrier", "tracking_number")
    missing = {}
    if "carrier" not in body:
        missing["carrier"] = _("Name the carrier.")
    if "tracking_number" not in body and not request.form.get("untracked"):
        missing["tracking_number"] = _(
            "Give the tracking number, or tick “Ships without tracking”."
        )
    return body, missing


@console.route("/orders/<uuid:order_id>/ship", methods=["POST"])
def ship_order(order_id: str):
    body, missing = _shipment()
    if missing:
        return order_page(order_id, missing, 422)
    answer = g.user.send("POST", f"/orders/{order_id}/ship", body)
    if answer.ok:
        return redirect(url_for("console.order", order_id=order_id, done="shipped"))
    return order_page(order_id, answer.errors or {"form": answer.detail}, answer.status)


@console.route("/orders/<uuid:order_id>/deliver", methods=["POST"])
def deliver_order(order_id: str):
    answer = g.user.send("POST", f"/orders/{order_id}/deliver")
    if answer.ok:
        return redirect(url_for("console.order", order_id=order_id, done="delivered"))
    return order_page(order_id, {"form": answer.detail}, answer.status)


@console.route("/invoices", methods=["GET"])
def invoices():
    """Invoices and credit notes, newest first: a customer's own only (the API decides)."""
    kind = request.args.get("kind", "")
    listing = g.user.page("/invoices", kind=kind)
    return render_template("console/invoices.html", listing=listing, kind=kind)


@console.route("/invoices/<uuid:invoice_id>", methods=["GET"])
def invoice(invoice_id: str):
    document = g.user.fetch(f"/invoices/{invoice_id}")
    return render_template("console/invoice.html", invoice=document)


@console.route("/invoices/<uuid:invoice_id>.pdf", methods=["GET"])
def invoice_pdf(invoice_id: str):
    """The invoice's PDF as the orders service renders it."""
    answer = g.user.send("GET", f"/invoices/{invoice_id}", accept="application/pdf")
    if not answer.ok:
        raise ApiError(answer)
    pdf = Response(answer.body, mimetype="application/pdf")
    pdf.headers["Content-Disposition"] = answer.headers.get(
        "Content-Disposition", f'inline; filename="{invoice_id}.pdf"'
    )
    return pdf


@console.route("/shipping", methods=["GET"])
@needs("POST", "/orders/any/ship")
def shipping():
    """Confirmed orders waiting to go out, oldest first, each with what to pick and where it
    goes."""
    listing = g.user.page("/orders", status="confirmed", sort="oldest", with_lines="true")
    return render_template("console/shipping.html", listing=listing)


@console.route("/shipping/<uuid:order_id>", methods=["POST"])
def ship_from_list(order_id: str):
    """Ship one order from the list; its row is replaced by what happened."""
    body, missing = _shipment()
    answer = None if missing else g.user.send("POST", f"/orders/{order_id}/ship", body)
    order = g.user.fetch(f"/orders/{order_id}")
    customer = g.user.send("GET", f"/customers/{order['customer_id']}")
    order["customer_name"] = customer.json["name"] if customer.ok else None
    if missing or not answer.ok:
        errors = missing or answer.errors or {"form": answer.detail}
        status = 422 if missing else answer.status
        return render_template(
            "console/_shipping_row.html", order=order, shipped=None, errors=errors, values=body
        ), status
    return render_template(
        "console/_shipping_row.html", order=order, shipped=answer.json, errors={}, values=body
    )
