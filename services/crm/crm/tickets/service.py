"""Ticket use cases: open, move, comment, assign, list by due time. Each takes the caller's
unit of work, loads or adds the ticket through it and calls the aggregate; the unit of work
saves the ticket and sends its events at the commit."""

from __future__ import annotations

import uuid

from prometheus_client import Gauge

from crm.customers import service as customers
from crm.domain import refuse_staff_only
from crm.purchases import service as purchases
from crm.tickets import db
from crm.tickets.domain import DEFAULT_PRIORITY, STAFF_ONLY, Ticket
from erp_shared.errors import Invalid, Unknown
from erp_shared.uow import UnitOfWork

OVERDUE = Gauge(
    "erp_tickets_overdue",
    "Unresolved tickets past a service-level due time",
    ["service"],
    multiprocess_mode="livemax",
)


def open_ticket(uow: UnitOfWork, request: dict, sla, *, by_customer: bool = False) -> Ticket:
    """A new ticket, announced. A customer opening its own sets neither priority nor
    assignee, and links it only to an order the CRM knows to be that customer's."""
    customers.get_customer(uow, request["customer_id"])
    if by_customer:
        refuse_staff_only(request, STAFF_ONLY)
        order_id = request.get("order_id")
        if order_id and purchases.customer_of_order(uow, order_id) != request["customer_id"]:
            raise Invalid(
                "The ticket names an order that is not the customer's.",
                {"order_id": ["Not one of your orders."]},
            )
    ticket = Ticket.open(
        at=uow.now,
        sla=sla,
        actor=uow.actor,
        id=str(uuid.uuid4()),
        customer_id=request["customer_id"],
        subject=request["subject"],
        description=request["description"],
        priority=request.get("priority", DEFAULT_PRIORITY),
        order_id=request.get("order_id"),
        assignee=request.get("assignee"),
    )
    return uow.add(db, ticket)


def get_ticket(uow: UnitOfWork, ticket_id: str) -> Ticket:
    ticket = db.get(uow.conn, ticket_id)
    if ticket is None:
        raise Unknown(f"No ticket {ticket_id}.")
    return ticket


def _to_change(uow: UnitOfWork, ticket_id: str) -> Ticket:
    """The ticket, locked until the commit, which saves it."""
    ticket = uow.load(db, ticket_id, for_update=True)
    if ticket is None:
        raise Unknown(f"No ticket {ticket_id}.")
    return ticket


def change_ticket(uow: UnitOfWork, ticket_id: str, change: dict, sla) -> Ticket:
    ticket = _to_change(uow, ticket_id)
    if change.get("order_id") and change["order_id"] != ticket.order_id:
        if purchases.customer_of_order(uow, change["order_id"]) != ticket.customer_id:
            raise Invalid(
                "The ticket names an order that is not its customer's.",
                {"order_id": ["Not an order of this ticket's customer."]},
            )
        ticket.link_order(change["order_id"], uow.now, uow.actor)
    if change.get("assignee"):
        ticket.assign(change["assignee"], uow.now, uow.actor)
    if change.get("status"):
        ticket.move(change["status"], uow.now, uow.actor, sla, change.get("resolution"))
    return ticket


def comment_on(uow: UnitOfWork, ticket_id: str, body: str) -> Ticket:
    ticket = _to_change(uow, ticket_id)
    ticket.comment(body, uow.now, uow.actor)
    return ticket


def list_tickets(uow: UnitOfWork, filters: dict, offset: int, limit: int):
    return db.page(uow.conn, filters, uow.now, offset, limit)


def count_overdue(uow: UnitOfWork, _settings=None) -> int:
    """For the worker's chore: keeps the erp_tickets_overdue gauge current."""
    overdue = db.count_overdue(uow.conn, uow.now)
    OVERDUE.labels(uow.producer).set(overdue)
    return overdue


def tickets_of(uow: UnitOfWork, customer_id: str) -> list[dict]:
    return db.of_customer(uow.conn, customer_id)


def reassign(uow: UnitOfWork, from_id: str, to_id: str) -> None:
    db.reassign(uow.conn, from_id, to_id)
