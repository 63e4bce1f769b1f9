"""HTTP entry points of segments: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

import json

from flask_smorest import Blueprint

from crm.customers.schemas import CustomerPage
from crm.segments import schemas, service
from erp_shared.schemas import PageQuery
from erp_shared.web import IDEMPOTENCY_KEY_DOC, create_once, listed, reading

blp = Blueprint("segments", __name__, url_prefix="/api/v1", description="Segments")


@blp.route("/segments", methods=["POST"])
@blp.arguments(schemas.SegmentIn())
@blp.response(201, schemas.SegmentOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def define_segment(data):
    # Rules are kept as JSON: dates and amounts as the strings the API speaks.
    definition = {"name": data["name"], "rules": json.loads(json.dumps(data["rules"], default=str))}
    return create_once(definition, service.define_segment, service.get_segment)


@blp.route("/segments", methods=["GET"])
@blp.arguments(PageQuery(), location="query")
@blp.response(200, schemas.SegmentPage)
def list_segments(query):
    with reading() as uow:
        return listed(query, lambda offset, limit: service.list_segments(uow, offset, limit))


@blp.route("/segments/<segment_id>/customers", methods=["GET"])
@blp.arguments(PageQuery(), location="query")
@blp.response(200, CustomerPage)
def members(query, segment_id):
    with reading() as uow:
        return listed(query, lambda offset, limit: service.members(uow, segment_id, offset, limit))
