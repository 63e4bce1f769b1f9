"""Request and response bodies of the CRM API (unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.schemas import Money, PostalAddress


class AddressIn(PostalAddress):
    kind = fields.Str(required=True, validate=validate.OneOf(["billing", "shipping"]))


class CustomerIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True)
    phone = fields.Str(validate=validate.Length(max=40))
    company = fields.Str(validate=validate.Length(max=200))
    addresses = fields.List(fields.Nested(AddressIn), load_default=list)
    credit_limit = Money()
    tags = fields.List(fields.Str(validate=validate.Length(min=1, max=40)), load_default=list)


class CustomerOut(Schema):
    id = fields.Str()
    name = fields.Str()
    email = fields.Str()
    phone = fields.Str(allow_none=True)
    company = fields.Str(allow_none=True)
    addresses = fields.List(fields.Nested(AddressIn))
    credit_limit = Money(allow_none=True)
    tags = fields.List(fields.Str())
    segment = fields.Str(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
