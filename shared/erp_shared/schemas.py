"""Field conventions of the public API: money as decimal strings, codes validated once."""

from __future__ import annotations

import functools
from decimal import Decimal

from marshmallow import Schema, fields, validate

MONEY = functools.partial(
    fields.Decimal, as_string=True, places=2, validate=validate.Range(min=Decimal("0"))
)
CURRENCY = functools.partial(fields.Str, validate=validate.Regexp(r"^[A-Z]{3}$"))
SKU = functools.partial(
    fields.Str, required=True, validate=validate.Regexp(r"^[A-Za-z0-9._\-]{1,64}$")
)


class PostalAddress(Schema):
    line1 = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    city = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    postal_code = fields.Str(required=True, validate=validate.Length(min=1, max=20))
    country = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
