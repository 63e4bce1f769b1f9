"""HTTP entry point of repeat purchases."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from analytics.repeat import service
from erp_shared.schemas import PageQuery
from erp_shared.web import reading

blp = Blueprint("repeat", __name__, url_prefix="/api/v1/analytics", description="Repeat purchases")


class RepeaterOut(Schema):
    customer_id = fields.Str()
    external_ref = fields.Str(
        allow_none=True,
        metadata={"description": "A buyer CRM does not know: the history import's reference."},
    )
    purchases = fields.Int(metadata={"description": "Days bought on."})
    first_purchase = fields.Date()
    last_purchase = fields.Date()
    median_days_between = fields.Float()
    next_expected = fields.Date(metadata={"description": "Last purchase + the median interval."})
    overdue_days = fields.Int(metadata={"description": "Days past next_expected; 0 if not yet."})


class GapOut(Schema):
    from_days = fields.Int()
    to_days = fields.Int(allow_none=True, metadata={"description": "null: no upper bound."})
    count = fields.Int()


class RepeatSummaryOut(Schema):
    customers = fields.Int(metadata={"description": "Customers who bought at all."})
    repeat_customers = fields.Int(metadata={"description": "Who bought on two days or more."})
    repeat_rate = fields.Float()
    median_days_between = fields.Float(allow_none=True)
    gaps = fields.List(fields.Nested(GapOut))


class RepeatPage(Schema):
    summary = fields.Nested(RepeatSummaryOut)
    items = fields.List(fields.Nested(RepeaterOut))
    page = fields.Int()
    per_page = fields.Int()
    total = fields.Int()


@blp.route("/customers/repeat-purchases", methods=["GET"])
@blp.arguments(PageQuery(), location="query")
@blp.response(200, RepeatPage)
def repeat_purchases(query):
    """Customers who bought on two days or more, the most overdue for their next purchase
    first, with how all buyers' gaps between purchases spread."""
    page, per_page = query["page"], query["per_page"]
    with reading() as uow:
        found = service.repeat_purchases(uow, (page - 1) * per_page, per_page)
    return found | {"page": page, "per_page": per_page}
