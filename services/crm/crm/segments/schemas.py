"""Request and response bodies of the segments API (unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from erp_shared.schemas import Money, page_of


class RulesIn(Schema):
    tags_any = fields.List(fields.Str(validate=validate.Length(min=1, max=40)))
    min_spend = Money()
    max_spend = Money()
    last_order_after = fields.Date()
    last_order_before = fields.Date()

    @validates_schema
    def says_something(self, data, **_kwargs):
        if not data:
            raise ValidationError("A segment needs at least one rule.", "_schema")


class SegmentIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=80))
    rules = fields.Nested(RulesIn, required=True, metadata={"minProperties": 1})


class SegmentOut(Schema):
    id = fields.Str()
    name = fields.Str()
    rules = fields.Dict()
    created_at = fields.AwareDateTime()


SegmentPage = page_of(SegmentOut)
