"""HTTP entry points of tickets: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from crm.tickets import schemas, service
from erp_shared.web import IDEMPOTENCY_KEY_DOC, create_once, listed, reading, settings, unit_of_work

blp = Blueprint("tickets", __name__, url_prefix="/api/v1", description="Service tickets")


@blp.route("/tickets", methods=["POST"])
@blp.arguments(schemas.TicketIn)
@blp.response(201, schemas.TicketOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def open_ticket(data):
    return create_once(
        data,
        lambda uow, ticket: service.open_ticket(uow, ticket, settings().ticket_sla),
        service.get_ticket,
    )


@blp.route("/tickets", methods=["GET"])
@blp.arguments(schemas.TicketQuery, location="query")
@blp.response(200, schemas.TicketPage)
def list_tickets(query):
    """Soonest due first, so what is overdue leads."""
    with reading() as uow:
        return listed(query, lambda offset, limit: service.list_tickets(uow, query, offset, limit))


@blp.route("/tickets/<ticket_id>", methods=["GET"])
@blp.response(200, schemas.TicketOut)
def get_ticket(ticket_id):
    with reading() as uow:
        return service.get_ticket(uow, ticket_id)


@blp.route("/tickets/<ticket_id>", methods=["PATCH"])
@blp.arguments(schemas.TicketPatch)
@blp.response(200, schemas.TicketOut)
def change_ticket(change, ticket_id):
    with unit_of_work() as uow:
        return service.change_ticket(uow, ticket_id, change, settings().ticket_sla)


@blp.route("/tickets/<ticket_id>/comments", methods=["POST"])
@blp.arguments(schemas.CommentIn)
@blp.response(201, schemas.TicketOut)
def comment_on(data, ticket_id):
    with unit_of_work() as uow:
        return service.comment_on(uow, ticket_id, data["body"])
