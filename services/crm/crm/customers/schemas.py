"""Request and response bodies of the customers API (unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.actors import Actor
from erp_shared.schemas import Changes, JsonBoolean, Money, PageQuery, PostalAddress, page_of

TAG = fields.Str(validate=validate.Length(min=1, max=40))
CHANNELS = ("call", "email", "meeting", "chat", "visit")
# The languages the customer's documents (invoices, credit notes) can be written in.
LANGUAGES = ("en", "zh_CN")
LANGUAGE_DOC = {"description": "The language of its invoices: en or zh_CN."}


class AddressIn(PostalAddress):
    kind = fields.Str(required=True, validate=validate.OneOf(["billing", "shipping"]))


class ContactIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email()
    phone = fields.Str(validate=validate.Length(max=40))
    role = fields.Str(validate=validate.Length(max=80))


class CustomerIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True)
    phone = fields.Str(validate=validate.Length(max=40))
    company = fields.Str(validate=validate.Length(max=200))
    tax_id = fields.Str(validate=validate.Length(max=40))
    language = fields.Str(validate=validate.OneOf(LANGUAGES), metadata=LANGUAGE_DOC)
    addresses = fields.List(fields.Nested(AddressIn), load_default=list)
    contacts = fields.List(fields.Nested(ContactIn), load_default=list)
    credit_limit = Money()
    tags = fields.List(TAG, load_default=list)
    blocked = JsonBoolean(load_default=False)


class CustomerPatch(Changes):
    name = fields.Str(validate=validate.Length(min=1, max=200))
    email = fields.Email()
    phone = fields.Str(allow_none=True, validate=validate.Length(max=40))
    company = fields.Str(allow_none=True, validate=validate.Length(max=200))
    tax_id = fields.Str(allow_none=True, validate=validate.Length(max=40))
    language = fields.Str(
        allow_none=True, validate=validate.OneOf(LANGUAGES), metadata=LANGUAGE_DOC
    )
    addresses = fields.List(fields.Nested(AddressIn))
    contacts = fields.List(fields.Nested(ContactIn))
    credit_limit = Money(allow_none=True)
    tags = fields.List(TAG)
    blocked = JsonBoolean()


class ContactOut(Schema):
    name = fields.Str()
    email = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
    role = fields.Str(allow_none=True)


class CustomerOut(Schema):
    id = fields.Str()
    name = fields.Str()
    email = fields.Str()
    phone = fields.Str(allow_none=True)
    company = fields.Str(allow_none=True)
    tax_id = fields.Str(allow_none=True)
    language = fields.Str(allow_none=True)
    addresses = fields.List(fields.Nested(AddressIn))
    contacts = fields.List(fields.Nested(ContactOut))
    credit_limit = Money(allow_none=True)
    tags = fields.List(fields.Str())
    segment = fields.Str(allow_none=True)
    blocked = fields.Bool()
    merged_into = fields.Str(allow_none=True)
    erased_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class CustomerQuery(PageQuery):
    q = fields.Str(validate=validate.Length(min=1, max=100))
    tag = TAG
    segment = fields.Str(validate=validate.Length(min=1, max=80))
    blocked = fields.Bool()


class CustomerSummary(Schema):
    id = fields.Str()
    name = fields.Str()
    email = fields.Str()
    phone = fields.Str(allow_none=True)
    company = fields.Str(allow_none=True)
    tags = fields.List(fields.Str())
    segment = fields.Str(allow_none=True)
    blocked = fields.Bool()
    created_at = fields.AwareDateTime()


class InteractionIn(Schema):
    channel = fields.Str(required=True, validate=validate.OneOf(CHANNELS))
    summary = fields.Str(required=True, validate=validate.Length(min=1, max=5000))
    occurred_at = fields.AwareDateTime()


class InteractionOut(Schema):
    id = fields.Str()
    channel = fields.Str()
    summary = fields.Str()
    occurred_at = fields.AwareDateTime()
    recorded_by = Actor(allow_none=True)


CustomerPage = page_of(CustomerSummary)
InteractionPage = page_of(InteractionOut)
