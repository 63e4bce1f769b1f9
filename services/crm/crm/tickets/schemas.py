"""Request and response bodies of the tickets API (unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from crm.tickets.domain import DEFAULT_PRIORITY, PRIORITIES, STATUSES
from erp_shared.actors import Actor, shown
from erp_shared.schemas import Changes, PageQuery, page_of


class TicketIn(Schema):
    customer_id = fields.Str(required=True, validate=validate.Length(min=1, max=36))
    subject = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    description = fields.Str(required=True, validate=validate.Length(min=1, max=10000))
    # Staff only; normal when left out.
    priority = fields.Str(
        validate=validate.OneOf(PRIORITIES), metadata={"default": DEFAULT_PRIORITY}
    )
    order_id = fields.Str(validate=validate.Length(min=1, max=36))
    # Staff only.
    assignee = fields.Str(validate=validate.Length(min=1, max=80))


class TicketPatch(Changes):
    status = fields.Str(validate=validate.OneOf(STATUSES[1:]))
    resolution = fields.Str(validate=validate.Length(min=1, max=5000))
    assignee = fields.Str(validate=validate.Length(min=1, max=80))
    order_id = fields.Str(
        validate=validate.Length(min=1, max=36),
        metadata={"description": "Link the ticket to one of its customer's orders."},
    )

    @validates_schema
    def resolution_only_when_resolved(self, data, **_kwargs):
        if "resolution" in data and data.get("status") != "resolved":
            raise ValidationError("A resolution goes with status resolved.", "resolution")


class CommentIn(Schema):
    body = fields.Str(required=True, validate=validate.Length(min=1, max=10000))


class EventBody(fields.Str):
    """A comment's text or a resolution; for an assignment, whom to: a username, shown as
    an Actor is."""

    def _serialize(self, value, attr, obj, **kwargs):
        if obj.kind == "assign":
            value = shown(value)
        return super()._serialize(value, attr, obj, **kwargs)


class TicketEventOut(Schema):
    kind = fields.Str()
    at = fields.AwareDateTime()
    actor = Actor(allow_none=True)
    status = fields.Str(allow_none=True)
    body = EventBody(allow_none=True)


class TicketOut(Schema):
    id = fields.Str()
    customer_id = fields.Str()
    order_id = fields.Str(allow_none=True)
    subject = fields.Str()
    description = fields.Str()
    priority = fields.Str()
    status = fields.Str()
    assignee = Actor(allow_none=True)
    # CONTRACT's due_at: when the ticket must be resolved.
    due_at = fields.Function(lambda ticket: ticket.resolution_due.isoformat())
    first_response_due = fields.AwareDateTime()
    resolution_due = fields.AwareDateTime()
    first_responded_at = fields.AwareDateTime(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolution = fields.Str(allow_none=True)
    history = fields.List(fields.Nested(TicketEventOut))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class TicketQuery(PageQuery):
    customer_id = fields.Str(validate=validate.Length(min=1, max=36))
    status = fields.Str(validate=validate.OneOf(STATUSES))
    priority = fields.Str(validate=validate.OneOf(PRIORITIES))
    assignee = fields.Str(validate=validate.Length(min=1, max=80))
    overdue = fields.Bool()


class TicketSummary(Schema):
    id = fields.Str()
    customer_id = fields.Str()
    customer_name = fields.Str(allow_none=True)
    order_id = fields.Str(allow_none=True)
    subject = fields.Str()
    priority = fields.Str()
    status = fields.Str()
    assignee = Actor(allow_none=True)
    first_response_due = fields.AwareDateTime()
    resolution_due = fields.AwareDateTime()
    overdue = fields.Bool()
    created_at = fields.AwareDateTime()


TicketPage = page_of(TicketSummary)
