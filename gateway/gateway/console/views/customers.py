"""Customers: find one as you type, see their record and history, add and edit them."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from gateway.console import forms, i18n
from gateway.console.blueprint import console, needs

PER_PAGE = 25
FIELDS = ("name", "email", "phone", "company", "tax_id", "language", "credit_limit")
# What a customer may change on its own record: not its credit limit or tags, which staff
# decide (the API refuses them from a customer, so the form neither shows nor sends them).
OWN_FIELDS = ("name", "email", "phone", "company", "tax_id", "language")
ADDRESS_KINDS = ("billing", "shipping")
CHANNELS = ("call", "email", "meeting", "chat", "visit")
# The RFM segments analytics assigns (analytics.rfm.domain), best first.
SEGMENTS = ("champions", "loyal", "new", "needs_attention", "at_risk", "hibernating")


def _filters() -> dict:
    return {name: request.args.get(name, "").strip() for name in ("q", "tag", "segment")}


@console.route("/customers", methods=["GET"])
def customers():
    filters = _filters()
    listing = g.user.page("/customers", **filters, per_page=PER_PAGE)
    return render_template(
        "console/customers.html", listing=listing, filters=filters, segments=SEGMENTS
    )


@console.route("/account", methods=["GET"])
def account():
    """A customer's own record."""
    if not g.user.customer_id:
        abort(404)
    return redirect(url_for("console.customer", customer_id=g.user.customer_id))


@console.route("/customers/<customer_id>", methods=["GET"])
def customer(customer_id: str):
    return _record_page(customer_id)


def _record_page(customer_id: str, errors: dict | None = None, interaction=None, status=200):
    """The record, its timeline (orders, returns, tickets, interactions) and latest orders,
    each only where the user's role may read it."""
    user = g.user
    record = user.fetch(f"/customers/{customer_id}")
    timeline = orders = None
    if user.can("GET", f"/customers/{customer_id}/timeline"):
        timeline = user.fetch(
            f"/customers/{customer_id}/timeline", page=request.args.get("page", 1), per_page=20
        )
    if user.can("GET", "/orders"):
        orders = user.fetch("/orders", customer_id=customer_id, per_page=10)
    page = render_template(
        "console/customer.html",
        customer=record,
        timeline=timeline,
        orders=orders,
        channels=CHANNELS,
        errors=errors or {},
        interaction=interaction or {},
    )
    return page, status


def _addresses(record: dict) -> list[dict]:
    """The form's billing and shipping address (a kind left empty is none), then the
    record's other addresses, which the form does not show, kept as they were."""
    typed = {kind: forms.address(kind) for kind in ADDRESS_KINDS}
    shown = [{"kind": kind, **address} for kind, address in typed.items() if address]
    kept = (record.get("addresses") or [])[:]
    for kind in ADDRESS_KINDS:
        first = next((a for a in kept if a["kind"] == kind), None)
        if first is not None:
            kept.remove(first)
    return shown + kept


def _body(record: dict | None = None) -> dict:
    body = forms.given(*FIELDS)
    if "credit_limit" in body:
        body["credit_limit"] = i18n.number_typed(body["credit_limit"])
    body["tags"] = forms.words(request.form.get("tags", ""))
    body["addresses"] = _addresses(record or {})
    return body


@console.route("/customers/new", methods=["GET", "POST"])
@needs("POST", "/customers")
def new_customer():
    if request.method == "GET":
        return render_template("console/customer_form.html", customer={}, errors={})
    body = _body()
    answer = g.user.send("POST", "/customers", body)
    if answer.ok:
        return redirect(url_for("console.customer", customer_id=answer.json["id"], done="created"))
    return _refused_form(body, answer)


@console.route("/customers/<customer_id>/edit", methods=["GET", "POST"])
def edit_customer(customer_id: str):
    record = g.user.fetch(f"/customers/{customer_id}")
    if request.method == "GET":
        return render_template("console/customer_form.html", customer=record, errors={})
    fields = OWN_FIELDS if g.user.is_customer else FIELDS
    wanted = {name: request.form.get(name, "").strip() or None for name in fields}
    if wanted.get("credit_limit"):
        wanted["credit_limit"] = i18n.number_typed(wanted["credit_limit"])
    if not g.user.is_customer:
        wanted["tags"] = forms.words(request.form.get("tags", ""))
    wanted["addresses"] = _addresses(record)
    # Only what changed is sent: a PATCH names the fields it changes.
    changes = {name: value for name, value in wanted.items() if value != record.get(name)}
    if not changes:
        return redirect(url_for("console.customer", customer_id=customer_id))
    answer = g.user.send("PATCH", f"/customers/{customer_id}", changes)
    if answer.ok:
        return redirect(url_for("console.customer", customer_id=customer_id, done="saved"))
    return _refused_form({**record, **wanted}, answer)


def _refused_form(customer: dict, answer):
    errors = answer.errors or {"form": answer.detail}
    if answer.status == 409 and "email" not in errors:
        errors["email"] = answer.detail
    # The API names an address's field by its place in the list; the form, by its kind.
    addresses = customer.get("addresses") or []
    for name in [n for n in errors if n.startswith("addresses.")]:
        _, place, field_name = (name.split(".") + ["", ""])[:3]
        if place.isdigit() and int(place) < len(addresses):
            errors[f"{addresses[int(place)]['kind']}_{field_name}"] = errors.pop(name)
    return render_template(
        "console/customer_form.html", customer=customer, errors=errors
    ), answer.status


@console.route("/customers/<customer_id>/interactions", methods=["POST"])
def log_interaction(customer_id: str):
    body = forms.given("channel", "summary")
    answer = g.user.send("POST", f"/customers/{customer_id}/interactions", body)
    if answer.ok:
        return redirect(url_for("console.customer", customer_id=customer_id))
    return _record_page(customer_id, answer.errors or {"form": answer.detail}, body, answer.status)
