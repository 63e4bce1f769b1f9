"""HTTP entry point of history imports: past sales as JSON or CSV."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from analytics.sales_replica import history, service
from erp_shared.errors import Invalid
from erp_shared.schemas import MAX_QUANTITY
from erp_shared.web import unit_of_work

blp = Blueprint("history", __name__, url_prefix="/api/v1/analytics", description="Past sales")
BATCH_ID = validate.Regexp(r"^[A-Za-z0-9._:\-]{1,64}$")


class HistoryLine(Schema):
    """A line as a CSV row gives it (any JSON value, read as its text), judged by
    history.checked: every fault of the batch is answered at once, by line number."""

    date = fields.Raw(required=True, metadata={"description": "YYYY-MM-DD."})
    sku = fields.Raw(required=True, metadata={"description": "1-64 characters."})
    quantity = fields.Raw(
        required=True, metadata={"description": f"A whole number from 0 to {MAX_QUANTITY}."}
    )
    revenue = fields.Raw(
        metadata={
            "description": "Net of tax, an amount such as 19.99 (at most twelve digits and "
            "two decimals, no exponent); 0 when left out."
        }
    )
    order_ref = fields.Raw(
        allow_none=True,
        metadata={
            "description": "The order the line was part of in the old system (1-64 "
            "characters): lines sharing it are one order, on one date, for one buyer, through "
            "one channel, counted in RFM, baskets and repeat purchases. Without it a line "
            "counts in the product and channel figures only. An order_ref an earlier batch "
            "loaded is a conflict (409)."
        },
    )
    customer_ref = fields.Raw(
        allow_none=True,
        metadata={
            "description": "Who bought (at most 254 characters): a CRM customer id or e-mail "
            "(in any case) makes the order that customer's; anything else keeps the buyer as "
            "an external customer, shown with it as external_ref, until CRM registers a "
            "customer with that e-mail."
        },
    )
    channel = fields.Raw(
        allow_none=True,
        metadata={"description": 'At most 20 characters; "history" when left out.'},
    )


class HistoryIn(Schema):
    batch_id = fields.Str(required=True, validate=BATCH_ID)
    lines = fields.List(fields.Nested(HistoryLine), required=True, validate=validate.Length(min=1))


class HistoryOut(Schema):
    batch_id = fields.Str()
    lines = fields.Int()
    replayed = fields.Bool()


class CsvQuery(Schema):
    """The CSV form's batch id: the JSON form carries it in the body instead."""

    batch_id = fields.Str(validate=BATCH_ID)


@blp.route("/history", methods=["POST"])
@blp.response(200, HistoryOut)
@blp.doc(parameters=[{"in": "query", "schema": CsvQuery}])
@blp.doc(
    requestBody={
        "required": True,
        "content": {
            "application/json": {"schema": HistoryIn},
            "text/csv": {"schema": {"type": "string"}},
        },
        "description": "JSON {batch_id, lines: [{date, sku, quantity, revenue?, order_ref?, "
        "customer_ref?, channel?}]}, or CSV with a header of date,sku,quantity and any of "
        "revenue,order_ref,customer_ref,channel, with ?batch_id=.",
    }
)
def load_history():
    """Sales from before the system, for reports and forecasts and, where lines name their
    order and buyer, RFM, baskets and repeat purchases; a batch id loads once."""
    if request.mimetype == "text/csv":
        batch_id = request.args.get("batch_id", "")
        if BATCH_ID.regex.match(batch_id) is None:
            raise Invalid(
                "Name the batch: ?batch_id=.", {"batch_id": ["1-64 letters, digits, ._:-"]}
            )
        lines = history.lines_from_csv(request.get_data())
    else:
        try:
            batch = HistoryIn().load(request.get_json(silent=True) or {})
        except ValidationError as error:
            raise Invalid("The batch is not valid.", error.messages) from None
        batch_id, lines = batch["batch_id"], batch["lines"]
    with unit_of_work() as uow:
        return service.load_history(uow, batch_id, lines)
