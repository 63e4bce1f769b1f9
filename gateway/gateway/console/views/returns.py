"""Returns: asked for from a shipped order, received by the warehouse (refund or exchange)."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from gateway.console import forms
from gateway.console.blueprint import console
from gateway.console.views.orders import order_page

STATUSES = ("requested", "received")
CONDITIONS = ("resellable", "damaged")


@console.route("/orders/<uuid:order_id>/returns", methods=["POST"])
def request_return(order_id: str):
    lines, rows = forms.chosen_lines(("sku", "quantity", "reason"), needed="quantity")
    body = {
        "order_id": order_id,
        "resolution": request.form.get("resolution", "refund"),
        "lines": [
            {"sku": line["sku"], "quantity": forms.number(line["quantity"])}
            | ({"reason": line["reason"]} if line.get("reason") else {})
            for line in lines
        ],
    }
    answer = g.user.send("POST", "/returns", body)
    if answer.ok:
        return redirect(url_for("console.order", order_id=order_id) + "#returns")
    errors = forms.on_rows(answer.errors, rows) or {"form": answer.detail}
    return order_page(order_id, errors, answer.status)


@console.route("/returns", methods=["GET"])
def returns():
    status = request.args.get("status", "requested" if _receives() else "")
    listing = g.user.page("/returns", status=status)
    return render_template(
        "console/returns.html", listing=listing, status=status, statuses=STATUSES
    )


def _receives() -> bool:
    return g.user.can("POST", "/returns/any/receive")


@console.route("/returns/<uuid:return_id>", methods=["GET"])
def return_page(return_id: str, errors: dict | None = None, status: int = 200):
    found = g.user.fetch(f"/returns/{return_id}")
    page = render_template(
        "console/return.html", ret=found, conditions=CONDITIONS, errors=errors or {}
    )
    return page, status


@console.route("/returns/<uuid:return_id>/receive", methods=["POST"])
def receive_return(return_id: str):
    lines, rows = forms.chosen_lines(("sku", "quantity", "condition"), needed="quantity")
    body = {"lines": [{**line, "quantity": forms.number(line["quantity"])} for line in lines]}
    answer = g.user.send("POST", f"/returns/{return_id}/receive", body)
    if answer.ok:
        return redirect(url_for("console.return_page", return_id=return_id))
    errors = forms.on_rows(answer.errors, rows) or {"form": answer.detail}
    return return_page(return_id, errors, answer.status)
