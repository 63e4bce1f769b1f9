"""Response body of an order import."""

from __future__ import annotations

from marshmallow import Schema, fields


class RowError(Schema):
    row = fields.Int()
    errors = fields.Dict()


class ImportOut(Schema):
    created = fields.Int()
    duplicates = fields.Int()
    errors = fields.List(fields.Nested(RowError))
