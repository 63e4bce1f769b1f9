"""HTTP entry point of RFM: every customer's scores and segment, as of today."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from analytics.rfm import service
from erp_shared.schemas import Figure
from erp_shared.web import reading

blp = Blueprint("rfm", __name__, url_prefix="/api/v1/analytics", description="RFM segments")


class RfmOut(Schema):
    customer_id = fields.Str()
    recency_days = fields.Int()
    frequency = fields.Int()
    monetary = Figure()
    r = fields.Int()
    f = fields.Int()
    m = fields.Int()
    segment = fields.Str()
    external_ref = fields.Str(
        allow_none=True,
        metadata={
            "description": "For a buyer CRM does not know, the reference a history import "
            "named them by (lower case); null for a CRM customer."
        },
    )


class RfmList(Schema):
    items = fields.List(fields.Nested(RfmOut))


@blp.route("/customers/rfm", methods=["GET"])
@blp.response(200, RfmList)
def rfm():
    with reading() as uow:
        return {"items": service.rfm_scores(uow)}
