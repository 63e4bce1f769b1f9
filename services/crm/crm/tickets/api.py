"""HTTP entry points of tickets: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from crm.domain import refuse_staff_only
from crm.tickets import schemas, service
from erp_shared.web import (
    IDEMPOTENCY_KEY_DOC,
    create_once,
    listed,
    only_own,
    own_customer,
    own_only,
    reading,
    settings,
    unit_of_work,
)

blp = Blueprint("tickets", __name__, url_prefix="/api/v1", description="Service tickets")


@blp.route("/tickets", methods=["POST"])
@blp.arguments(schemas.TicketIn())
@blp.response(201, schemas.TicketOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def open_ticket(data):
    """Open a ticket.

    A customer opens tickets for itself only; `priority` and `assignee` from a customer's
    token are refused with 403, each named in `errors`, and its `order_id` must be one of
    its own orders (422 otherwise, whether the order exists or not)."""
    only_own(data["customer_id"], f"No customer {data['customer_id']}.")
    by_customer = own_customer() is not None
    return create_once(
        data,
        lambda uow, ticket: service.open_ticket(
            uow, ticket, settings().ticket_sla, by_customer=by_customer
        ),
        service.get_ticket,
    )


@blp.route("/tickets", methods=["GET"])
@blp.arguments(schemas.TicketQuery(), location="query")
@blp.response(200, schemas.TicketPage)
def list_tickets(query):
    """Tickets, soonest due first, so what is overdue leads.

    A customer sees its own; it may not filter by `assignee` (403), which would tell it
    staff usernames."""
    if own_customer() is not None:
        refuse_staff_only(query, ("assignee",))
    with reading() as uow:
        mine = own_only(query)
        return listed(query, lambda offset, limit: service.list_tickets(uow, mine, offset, limit))


@blp.route("/tickets/<ticket_id>", methods=["GET"])
@blp.response(200, schemas.TicketOut)
def get_ticket(ticket_id):
    with reading() as uow:
        ticket = service.get_ticket(uow, ticket_id)
    only_own(ticket.customer_id, f"No ticket {ticket_id}.")
    return ticket


@blp.route("/tickets/<ticket_id>", methods=["PATCH"])
@blp.arguments(schemas.TicketPatch())
@blp.response(200, schemas.TicketOut)
def change_ticket(change, ticket_id):
    with unit_of_work() as uow:
        return service.change_ticket(uow, ticket_id, change, settings().ticket_sla)


@blp.route("/tickets/<ticket_id>/comments", methods=["POST"])
@blp.arguments(schemas.CommentIn())
@blp.response(201, schemas.TicketOut)
def comment_on(data, ticket_id):
    with unit_of_work() as uow:
        only_own(service.get_ticket(uow, ticket_id).customer_id, f"No ticket {ticket_id}.")
        return service.comment_on(uow, ticket_id, data["body"])
