"""The warehouse: stock by SKU and warehouse with its lots, goods received, adjustments, and
reorder alerts that turn into a receipt in one click."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from gateway.console import forms, i18n
from gateway.console.blueprint import console, needs

RECEIPT_ROWS = 5
RECEIPT_FIELDS = ("sku", "quantity", "unit_cost", "lot")


def _warehouses() -> list[str]:
    return [w["code"] for w in g.user.fetch("/warehouses")["items"]]


@console.route("/stock", methods=["GET"])
def stock():
    filters = {
        "q": request.args.get("q", "").strip(),
        "warehouse": request.args.get("warehouse", ""),
        "below_reorder": "true" if request.args.get("below_reorder") else "",
    }
    listing = g.user.page("/stock", **filters)
    return render_template(
        "console/stock.html", listing=listing, filters=filters, warehouses=_warehouses()
    )


@console.route("/stock/<sku>", methods=["GET"])
def stock_item(sku: str, errors: dict | None = None, adjustment=None, status: int = 200):
    user = g.user
    levels = user.fetch(f"/stock/{sku}")
    product = user.fetch(f"/products/{sku}")
    movements = None
    if user.can("GET", "/movements"):
        movements = user.fetch("/movements", sku=sku, per_page=15)["items"]
    page = render_template(
        "console/stock_item.html",
        sku=sku,
        levels=levels,
        product=product,
        movements=movements,
        warehouses=_warehouses(),
        errors=errors or {},
        adjustment=adjustment or {},
    )
    return page, status


@console.route("/stock/<sku>/adjust", methods=["POST"])
def adjust_stock(sku: str):
    """A count, entered as what the shelf holds; the API books the difference."""
    body = {"sku": sku, **forms.given("warehouse", "reason", "unit_cost")}
    if "unit_cost" in body:
        body["unit_cost"] = i18n.number_typed(body["unit_cost"])
    body["counted"] = forms.number(request.form.get("counted", ""))
    answer = g.user.send("POST", "/adjustments", body)
    if answer.ok:
        return redirect(url_for("console.stock_item", sku=sku, done="counted"))
    errors = answer.errors or {"form": answer.detail}
    if answer.status in (409, 422) and "counted" not in errors:
        errors["counted"] = answer.detail
    return stock_item(sku, errors, body, answer.status)


@console.route("/receipts/new", methods=["GET"])
@needs("POST", "/receipts")
def new_receipt():
    """A receipt form, drafted from a reorder alert when `sku` and `quantity` are given, at
    the cost the newest lot of that SKU was bought at (the receipt needs one)."""
    drafted = {"sku": request.args.get("sku", ""), "quantity": request.args.get("quantity", "")}
    if drafted["sku"]:
        stock = g.user.send("GET", f"/stock/{drafted['sku']}")
        lots = (stock.json.get("lots") or []) if stock.ok else []
        if lots:
            newest = max(lots, key=lambda lot: lot["received_at"])
            drafted["unit_cost"] = newest["unit_cost"]
    lines = [drafted] if drafted["sku"] else []
    return _receipt_form(request.args.get("warehouse", "MAIN"), "", lines, {})


def _receipt_form(warehouse: str, reason: str, lines: list[dict], errors: dict, status=200):
    rows = lines + [{}] * max(1, RECEIPT_ROWS - len(lines))
    page = render_template(
        "console/receipt_form.html",
        warehouse=warehouse,
        reason=reason,
        rows=rows,
        warehouses=_warehouses(),
        errors=errors,
    )
    return page, status


@console.route("/receipts/new", methods=["POST"])
def receive_goods():
    lines = forms.lines(RECEIPT_FIELDS)
    body = {
        **forms.given("warehouse", "reason"),
        "lines": [
            {name: line[name] for name in RECEIPT_FIELDS if line.get(name)}
            | {"quantity": forms.number(line.get("quantity", ""))}
            | ({"unit_cost": i18n.number_typed(line["unit_cost"])} if line.get("unit_cost") else {})
            for line in lines
        ],
    }
    answer = g.user.send("POST", "/receipts", body)
    if answer.ok:
        return redirect(url_for("console.stock_item", sku=lines[0]["sku"], done="received"))
    errors = answer.errors or {"form": answer.detail}
    return _receipt_form(
        body.get("warehouse", ""), body.get("reason", ""), lines, errors, answer.status
    )


@console.route("/reorder-alerts", methods=["GET"])
def reorder_alerts():
    warehouse = request.args.get("warehouse", "")
    listing = g.user.page("/reorder-alerts", warehouse=warehouse)
    return render_template(
        "console/reorder_alerts.html",
        listing=listing,
        warehouse=warehouse,
        warehouses=_warehouses(),
    )
