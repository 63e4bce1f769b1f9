"""Placing an order: pick the customer and products as you type, see the total as you type,
and read the API's refusals beside the fields that caused them.

The lines being built live in the form itself (hidden fields carry each product's name,
price and stock as the picker showed them), so the page keeps no state on the server. Those
prices only preview the total: the order service prices the order from its catalogue.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.console import forms
from gateway.console.blueprint import console, needs

# The columns the orders API reads from a channel's file (orders.channel_import).
CSV_HEADER = "external_ref,customer_id,channel,sku,quantity"

CHANNELS = ("phone", "email", "store", "web", "marketplace", "api")
LINE_FIELDS = ("sku", "name", "unit_price", "currency", "available", "quantity")
PICKS = 8


@console.route("/orders/new", methods=["GET"])
@needs("POST", "/orders")
def new_order():
    chosen = None
    wanted = g.user.customer_id if g.user.is_customer else request.args.get("customer_id")
    if wanted:
        chosen = g.user.fetch(f"/customers/{wanted}")
    return _form(chosen, [], {}, "phone")


def _form(
    customer: dict | None,
    lines: list[dict],
    errors: dict,
    channel: str,
    note="",
    status=200,
    shipping: dict | None = None,
):
    page = render_template(
        "console/new_order.html",
        customer=customer,
        lines=lines,
        totals=totals(lines),
        errors=errors,
        channel=channel,
        channels=CHANNELS,
        note=note,
        shipping=shipping,
        # A new key for each attempt: a double click places one order, a corrected retry
        # is a new request.
        idempotency_key=str(uuid.uuid4()),
    )
    return page, status


@console.route("/orders/new/customers", methods=["GET"])
def pick_customers():
    query = request.args.get("q", "").strip()
    found = g.user.fetch("/customers", q=query, per_page=PICKS)["items"] if query else []
    return render_template("console/_customer_choices.html", customers=found, q=query)


@console.route("/orders/new/customer", methods=["GET"])
def picked_customer():
    """The chosen customer (with `id`), or the search to choose one again (without)."""
    chosen = g.user.fetch(f"/customers/{request.args['id']}") if request.args.get("id") else None
    return render_template("console/_customer_picker.html", customer=chosen, errors={})


@console.route("/orders/new/products", methods=["GET"])
def pick_products():
    """Products matching what was typed, with price and what is available to sell."""
    query = request.args.get("q", "").strip()
    found = g.user.fetch("/products", q=query, active="true", per_page=PICKS)["items"]
    if g.user.can("GET", "/stock/any"):
        for product in found:
            answer = g.user.send("GET", f"/stock/{product['sku']}")
            product["available"] = answer.json["available"] if answer.ok else 0
    return render_template("console/_product_choices.html", products=found, q=query)


@console.route("/orders/new/lines", methods=["POST"])
def order_lines():
    """The lines after adding a product (`add_sku` and its shown details) or removing one."""
    lines = forms.lines(LINE_FIELDS)
    if request.form.get("add_sku"):
        sku = request.form["add_sku"]
        same = next((line for line in lines if line["sku"] == sku), None)
        if same is not None:
            same["quantity"] = str(_count(same.get("quantity", "")) + 1)
        else:
            lines.append(
                {
                    "sku": sku,
                    "name": request.form.get("add_name", sku),
                    "unit_price": request.form.get("add_price", ""),
                    "currency": request.form.get("add_currency", ""),
                    "available": request.form.get("add_available", ""),
                    "quantity": "1",
                }
            )
    if request.form.get("remove", "").isdigit():
        index = int(request.form["remove"])
        lines = [line for n, line in enumerate(lines) if n != index]
    return render_template(
        "console/_order_lines.html", lines=lines, totals=totals(lines), errors={}
    )


@console.route("/orders/new/totals", methods=["POST"])
def order_totals():
    lines = forms.lines(LINE_FIELDS)
    return render_template(
        "console/_order_totals.html", lines=lines, totals=totals(lines), oob=True
    )


@console.route("/orders/new", methods=["POST"])
@needs("POST", "/orders")
def place_order():
    lines = forms.lines(LINE_FIELDS)
    channel = "web" if g.user.is_customer else request.form.get("channel", "phone")
    customer_id = g.user.customer_id if g.user.is_customer else request.form.get("customer_id")
    body = {
        "customer_id": customer_id or "",
        "channel": channel,
        "lines": [
            {"sku": line["sku"], "quantity": forms.number(line.get("quantity", ""))}
            for line in lines
        ],
        **forms.given("note"),
    }
    shipping = forms.address("shipping")
    if shipping:
        body["shipping_address"] = shipping
    key = request.form.get("idempotency_key", "")
    answer = g.user.send("POST", "/orders", body, headers={"Idempotency-Key": key} if key else None)
    if answer.ok:
        return redirect(url_for("console.order", order_id=answer.json["id"], done="placed"))
    errors = answer.errors or {"form": answer.detail}
    for name in [n for n in errors if n.startswith("shipping_address.")]:
        errors["shipping_" + name.split(".", 1)[1]] = errors.pop(name)
    customer = None
    if customer_id:
        found = g.user.send("GET", f"/customers/{customer_id}")
        customer = found.json if found.ok else None
    note = body.get("note", "")
    return _form(customer, lines, errors, channel, note, answer.status, shipping)


def _count(text: str) -> int:
    return int(text) if text.strip().isdigit() else 0


def totals(lines: list[dict]) -> dict:
    """Units and subtotal of the lines whose quantity is a whole number, at the shown prices."""
    units, subtotal = 0, Decimal("0")
    for line in lines:
        quantity = _count(line.get("quantity", ""))
        try:
            price = Decimal(line.get("unit_price") or "0")
        except InvalidOperation:
            price = Decimal("0")
        line["line_total"] = price * quantity
        units += quantity
        subtotal += price * quantity
    currency = next((line["currency"] for line in lines if line.get("currency")), "")
    return {"units": units, "subtotal": subtotal, "currency": currency}


@console.route("/orders/import", methods=["GET", "POST"])
@needs("POST", "/orders/import")
def import_orders():
    """Orders from a channel's CSV file: what was created, what was there already, and each
    refused row by its line number, as the API answers."""
    if request.method == "GET":
        return _import_page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(error=_("Choose the CSV file to import.")), 422
    answer = g.user.send("POST", "/orders/import", data=upload.read(), content_type="text/csv")
    if not answer.ok:
        return _import_page(error=answer.detail), answer.status
    return _import_page(result=answer.json)


def _import_page(result: dict | None = None, error: str | None = None) -> str:
    """The import page, naming the columns the file must have."""
    return render_template(
        "console/import_orders.html", result=result, error=error, csv_header=CSV_HEADER
    )
