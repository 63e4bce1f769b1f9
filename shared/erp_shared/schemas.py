"""Field conventions of the public API: money as decimal strings, codes validated once."""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from erp_shared.money import CENT, money

# Ten-thousandths of this still fit the BigInteger that erp_shared.db.Money stores.
MAX_AMOUNT = Decimal("1000000000000")


# At most twelve whole digits: every string the pattern allows is below MAX_AMOUNT.
AMOUNT = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
SIGNED_AMOUNT = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"
FIGURE = r"^-?[0-9]{1,15}(\.[0-9]{1,2})?$"
# A number in plain decimal digits, the only spelling of an amount an API client needs.
# Decimal() reads far more: "1e30" (whose cents cannot be computed), "NaN", "Infinity",
# " 1 ", "1_000" and other scripts' digits.
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class Money(fields.Decimal):
    """An amount as a decimal string with at most two decimals and at most twelve whole
    digits (signed when `signed`, for figures such as a margin), read only as its documented
    pattern writes it.

    More precision is refused, not rounded: quietly changing an amount a client sent is worse
    than asking again. Output is rounded half-up to cents, the rule of erp_shared.money. The
    API document shows a string with a pattern (the bounds are checked here, not declared as
    numbers a string cannot be compared with).
    """

    default_error_messages = {
        "invalid": 'An amount as a decimal string such as "19.99" (digits, no exponent).',
        "cents": "Use at most two decimal places.",
        "range": "An amount from {low} to {high}.",
    }

    def __init__(self, *, signed: bool = False, **kwargs):
        largest = MAX_AMOUNT - CENT
        self.low, self.high = (-largest if signed else Decimal(0)), largest
        described = {
            "type": "string",
            "format": "decimal",
            "pattern": SIGNED_AMOUNT if signed else AMOUNT,
            "example": "19.99",
        }
        kwargs["metadata"] = described | kwargs.get("metadata", {})
        super().__init__(as_string=True, **kwargs)
        self.written = re.compile(self.metadata["pattern"])

    def _deserialize(self, value, attr, data, **kwargs):
        # Not a JSON number either: it may already have lost a cent.
        if not isinstance(value, str) or not PLAIN_DECIMAL.fullmatch(value):
            raise self.make_error("invalid")
        amount = Decimal(value)
        if amount.as_tuple().exponent < -2:
            raise self.make_error("cents")
        if not self.written.fullmatch(value):
            raise self.make_error("range", low=self.low, high=self.high)
        return amount

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(money(Decimal(value)))


class Figure(Money):
    """An amount the system computes and only answers with (a total, a stock value, a sum
    over many lines): larger than any one amount a client may send, up to what
    erp_shared.db.Money keeps, and signed, since a figure such as a margin may be a loss."""

    def __init__(self, **kwargs):
        metadata = {"pattern": FIGURE} | kwargs.pop("metadata", {})
        super().__init__(signed=True, metadata=metadata, **kwargs)


def DecimalString(**kwargs) -> fields.Decimal:
    """A figure such as a rate or a ratio, written as a decimal string (exact, unlike a JSON
    number) and documented as one."""
    described = {"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
    kwargs["metadata"] = described | kwargs.get("metadata", {})
    return fields.Decimal(as_string=True, **kwargs)


CURRENCY = functools.partial(fields.Str, validate=validate.Regexp(r"^[A-Z]{3}$"))
SKU = functools.partial(
    fields.Str, required=True, validate=validate.Regexp(r"^[A-Za-z0-9._\-]{1,64}$")
)


class PostalAddress(Schema):
    line1 = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    city = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    postal_code = fields.Str(required=True, validate=validate.Length(min=1, max=20))
    country = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))


# Far past any real stock or order, and within every database's 32-bit integer.
MAX_QUANTITY = 1_000_000_000
# Far past any real list, and an offset every database can hold.
MAX_PAGE = 1_000_000


class JsonBoolean(fields.Boolean):
    """A JSON body's true or false, not 0, 1 or "yes" (which equal True and False to Python,
    so truthy/falsy sets cannot tell them apart). Query strings' booleans stay lenient."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Changes(Schema):
    """A PATCH body: any of its fields, but at least one (the API document says
    minProperties 1; an empty PATCH is a mistake, not a request to change nothing)."""

    @validates_schema
    def names_a_change(self, data, **_kwargs):
        if not data:
            raise ValidationError("Name at least one field to change.", "_schema")


class PageQuery(Schema):
    """`page` (from 1) and `per_page` (at most 200) of a list, as every list takes them."""

    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=200))


def page_of(item: type[Schema]) -> type[Schema]:
    """The list envelope every list answers with: {items, page, per_page, total}."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "page": fields.Int(),
            "per_page": fields.Int(),
            "total": fields.Int(),
        },
        name=f"{item.__name__.removesuffix('Out')}Page",
    )
