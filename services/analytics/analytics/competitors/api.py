"""HTTP entry points of competitor comparison."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from analytics.competitors import service
from erp_shared.schemas import CURRENCY, MAX_QUANTITY, SKU, Money
from erp_shared.web import reading, unit_of_work

blp = Blueprint(
    "competitors", __name__, url_prefix="/api/v1/analytics/competitors", description="Competitors"
)


class ObservationIn(Schema):
    competitor = fields.Str(required=True, validate=validate.Length(min=1, max=120))
    sku = SKU(required=False)
    category = fields.Str(validate=validate.Length(min=1, max=100))
    price = Money(required=True)
    currency = CURRENCY(required=True)
    observed_at = fields.AwareDateTime(required=True)
    units_sold = fields.Int(strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY))


class ObservationOut(ObservationIn):
    id = fields.Str()


class ComparisonQuery(Schema):
    sku = fields.Str(validate=validate.Length(min=1, max=64))
    category = fields.Str(validate=validate.Length(min=1, max=100))


class CompetitorPrice(Schema):
    competitor = fields.Str()
    price = Money()
    currency = fields.Str()
    observed_at = fields.AwareDateTime()
    price_index = fields.Float(allow_none=True)


class ComparisonLine(Schema):
    sku = fields.Str()
    our_price = Money(allow_none=True)
    competitors = fields.List(fields.Nested(CompetitorPrice))
    our_units = fields.Int()
    competitor_units = fields.Int()
    share = fields.Float(allow_none=True)


class ComparisonOut(Schema):
    items = fields.List(fields.Nested(ComparisonLine))


@blp.route("/observations", methods=["POST"])
@blp.arguments(ObservationIn())
@blp.response(201, ObservationOut)
def record_observation(data):
    with unit_of_work() as uow:
        return service.record_observation(uow, data)


@blp.route("/comparison", methods=["GET"])
@blp.arguments(ComparisonQuery(), location="query")
@blp.response(200, ComparisonOut)
def comparison(query):
    """Per SKU: each competitor's latest price and our price index (100 x ours / theirs),
    and our share of the units sold in the last 30 days."""
    with reading() as uow:
        return {"items": service.compare(uow, query.get("sku"), query.get("category"))}
