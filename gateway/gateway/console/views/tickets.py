"""Support: tickets still to do first, soonest due first (so the overdue lead), each with its
conversation, status, the order it is about and who handles it."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from gateway.console import forms
from gateway.console.blueprint import console, needs

STATUSES = ("open", "in_progress", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
MOVES = ("in_progress", "resolved", "closed")
# A customer describes its problem; how urgent it is, support decides.
CUSTOMER_TICKET_FIELDS = ("subject", "description")
TICKET_FIELDS = (*CUSTOMER_TICKET_FIELDS, "priority")


@console.route("/tickets", methods=["GET"])
def tickets():
    filters = {
        "status": request.args.get("status", ""),
        "priority": request.args.get("priority", ""),
        "overdue": "true" if request.args.get("overdue") else "",
        "customer_id": request.args.get("customer_id", ""),
    }
    listing = g.user.page("/tickets", **filters)
    return render_template(
        "console/tickets.html",
        listing=listing,
        filters=filters,
        statuses=STATUSES,
        priorities=PRIORITIES,
    )


@console.route("/tickets/<uuid:ticket_id>", methods=["GET"])
def ticket(ticket_id: str, errors: dict | None = None, status: int = 200):
    found = g.user.fetch(f"/tickets/{ticket_id}")
    customer = g.user.send("GET", f"/customers/{found['customer_id']}")
    orders = []  # the customer's orders, to link the ticket to (staff who may list them)
    if g.user.can("PATCH", f"/tickets/{ticket_id}") and g.user.can("GET", "/orders"):
        params = {"customer_id": found["customer_id"], "per_page": 50}
        listed = g.user.send("GET", "/orders", params=params)
        orders = listed.json["items"] if listed.ok else []
    numbers = {order["id"]: order["number"] for order in orders}
    if found["order_id"] and found["order_id"] not in numbers:
        linked = g.user.send("GET", f"/orders/{found['order_id']}")
        numbers[found["order_id"]] = linked.json["number"] if linked.ok else found["order_id"][:8]
    page = render_template(
        "console/ticket.html",
        ticket=found,
        customer=customer.json if customer.ok else None,
        moves=MOVES,
        orders=orders,
        numbers=numbers,
        errors=errors or {},
    )
    return page, status


@console.route("/tickets/<uuid:ticket_id>/comments", methods=["POST"])
def comment_ticket(ticket_id: str):
    answer = g.user.send("POST", f"/tickets/{ticket_id}/comments", forms.given("body"))
    if answer.ok:
        return redirect(url_for("console.ticket", ticket_id=ticket_id) + "#conversation")
    return ticket(ticket_id, answer.errors or {"form": answer.detail}, answer.status)


@console.route("/tickets/<uuid:ticket_id>/status", methods=["POST"])
def move_ticket(ticket_id: str):
    answer = g.user.send("PATCH", f"/tickets/{ticket_id}", forms.given("status", "resolution"))
    if answer.ok:
        return redirect(url_for("console.ticket", ticket_id=ticket_id))
    return ticket(ticket_id, answer.errors or {"form": answer.detail}, answer.status)


@console.route("/tickets/<uuid:ticket_id>/details", methods=["POST"])
def ticket_details(ticket_id: str):
    """The order the ticket is about and who handles it: only what changed is sent."""
    found = g.user.fetch(f"/tickets/{ticket_id}")
    wanted = forms.given("order_id", "assignee")
    changes = {name: value for name, value in wanted.items() if value != found.get(name)}
    if not changes:
        return redirect(url_for("console.ticket", ticket_id=ticket_id))
    answer = g.user.send("PATCH", f"/tickets/{ticket_id}", changes)
    if answer.ok:
        return redirect(url_for("console.ticket", ticket_id=ticket_id, done="saved"))
    return ticket(ticket_id, answer.errors or {"form": answer.detail}, answer.status)


@console.route("/tickets/new", methods=["GET", "POST"])
@needs("POST", "/tickets")
def new_ticket():
    """A ticket for the customer named by `customer_id` (a customer's own, for a customer)."""
    customer_id = g.user.customer_id if g.user.is_customer else request.values.get("customer_id")
    customer = g.user.fetch(f"/customers/{customer_id}") if customer_id else None
    if request.method == "GET":
        return render_template(
            "console/ticket_form.html",
            customer=customer,
            values={},
            errors={},
            priorities=PRIORITIES,
        )
    fields = CUSTOMER_TICKET_FIELDS if g.user.is_customer else TICKET_FIELDS
    body = {"customer_id": customer_id or "", **forms.given(*fields)}
    answer = g.user.send("POST", "/tickets", body)
    if answer.ok:
        return redirect(url_for("console.ticket", ticket_id=answer.json["id"]))
    return render_template(
        "console/ticket_form.html",
        customer=customer,
        values=body,
        errors=answer.errors or {"form": answer.detail},
        priorities=PRIORITIES,
    ), answer.status
