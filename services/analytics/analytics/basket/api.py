"""HTTP entry point of basket analysis: products bought together."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from analytics.basket import service
from erp_shared.web import reading

blp = Blueprint("basket", __name__, url_prefix="/api/v1/analytics", description="Baskets")


class BasketQuery(Schema):
    min_support = fields.Float(load_default=0.01, validate=validate.Range(min=0, max=1))
    min_confidence = fields.Float(load_default=0.1, validate=validate.Range(min=0, max=1))


class RuleOut(Schema):
    antecedent = fields.List(fields.Str())
    consequent = fields.List(fields.Str())
    support = fields.Float()
    confidence = fields.Float()
    lift = fields.Float()


class RuleList(Schema):
    items = fields.List(fields.Nested(RuleOut))


@blp.route("/basket", methods=["GET"])
@blp.arguments(BasketQuery(), location="query")
@blp.response(200, RuleList)
def basket(query):
    with reading() as uow:
        return {
            "items": service.association_rules(uow, query["min_support"], query["min_confidence"])
        }
