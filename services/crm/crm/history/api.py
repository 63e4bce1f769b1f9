"""HTTP entry points of a customer's history: the timeline and merging."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.customers.schemas import CustomerOut
from crm.history import service
from erp_shared.schemas import PageQuery, page_of
from erp_shared.web import listed, reading, unit_of_work

blp = Blueprint("history", __name__, url_prefix="/api/v1", description="Customer history")


class EntryOut(Schema):
    kind = fields.Str()
    at = fields.AwareDateTime()
    id = fields.Str()
    summary = fields.Str()
    status = fields.Str()
    channel = fields.Str()


class MergeIn(Schema):
    survivor_id = fields.Str(required=True, validate=validate.Length(min=1, max=36))


@blp.route("/customers/<customer_id>/timeline", methods=["GET"])
@blp.arguments(PageQuery(), location="query")
@blp.response(200, page_of(EntryOut))
def timeline(query, customer_id):
    with reading() as uow:
        return listed(
            query, lambda offset, limit: service.timeline(uow, customer_id, offset, limit)
        )


@blp.route("/customers/<customer_id>/merge", methods=["POST"])
@blp.arguments(MergeIn())
@blp.response(200, CustomerOut)
def merge(data, customer_id):
    """This customer is a duplicate of `survivor_id`: the survivor keeps the history."""
    with unit_of_work() as uow:
        return service.merge_customers(uow, customer_id, data["survivor_id"])
