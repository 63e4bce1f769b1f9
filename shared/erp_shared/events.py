"""The event contract: the envelope every message carries and each type's payload.

Producers validate a payload before it reaches the outbox, so a malformed event is a bug in
the producer's transaction, not a poison message in someone else's queue. Consumers load with
`EXCLUDE`: a field added later by a producer must not break an older consumer.
"""

from __future__ import annotations

import copy
import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

ENVELOPE_VERSION = 1


class Payload(Schema):
    class Meta:
        unknown = EXCLUDE


class BillingAddress(Payload):
    line1 = fields.Str(required=True)
    city = fields.Str(required=True)
    postal_code = fields.Str(required=True)
    country = fields.Str(required=True)


class CustomerData(Payload):
    customer_id = fields.Str(required=True)
    name = fields.Str(required=True)
    email = fields.Str(required=True)
    credit_limit = fields.Decimal(as_string=True, allow_none=True)
    tags = fields.List(fields.Str(), load_default=list)
    # A blocked customer can place no orders.
    blocked = fields.Bool(load_default=False)
    # What an invoice prints of its buyer (absent from events older than these fields).
    company = fields.Str(allow_none=True, load_default=None)
    tax_id = fields.Str(allow_none=True, load_default=None)
    billing_address = fields.Nested(BillingAddress, allow_none=True, load_default=None)
    language = fields.Str(allow_none=True, load_default=None)


class CustomerErased(Payload):
    customer_id = fields.Str(required=True)


class CustomerMerged(Payload):
    customer_id = fields.Str(required=True)
    survivor_id = fields.Str(required=True)


class TicketChanged(Payload):
    ticket_id = fields.Str(required=True)
    customer_id = fields.Str(required=True)
    order_id = fields.Str(allow_none=True)
    status = fields.Str(required=True)
    priority = fields.Str(required=True)


class CampaignPlanned(Payload):
    campaign_id = fields.Str(required=True)
    # What orders may carry as their campaign_code.
    code = fields.Str(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


class SegmentChanged(Payload):
    customer_id = fields.Str(required=True)
    segment = fields.Str(required=True)


class ProductData(Payload):
    sku = fields.Str(required=True)
    name = fields.Str(required=True)
    unit_price = fields.Decimal(as_string=True, required=True)
    currency = fields.Str(required=True)
    category = fields.Str(allow_none=True)
    # A discontinued product can no longer be ordered.
    active = fields.Bool(load_default=True)


class PricedLine(Payload):
    sku = fields.Str(required=True)
    quantity = fields.Int(required=True, validate=validate.Range(min=1))
    unit_price = fields.Decimal(as_string=True, required=True)


class OrderPlaced(Payload):
    order_id = fields.Str(required=True)
    number = fields.Str(required=True)
    customer_id = fields.Str(required=True)
    channel = fields.Str(required=True)
    campaign_code = fields.Str(allow_none=True)
    lines = fields.List(fields.Nested(PricedLine), required=True, validate=validate.Length(min=1))
    subtotal = fields.Decimal(as_string=True, required=True)
    total = fields.Decimal(as_string=True, required=True)
    currency = fields.Str(required=True)
    # Beyond the contract: the return an exchange's free replacement order is sent for, so
    # a report counts its goods' cost and not a new sale (absent from older events).
    replaces_return_id = fields.Str(allow_none=True)


class OrderStatusChanged(Payload):
    order_id = fields.Str(required=True)
    reason = fields.Str(allow_none=True)


def _optional(field: fields.Field) -> fields.Field:
    field = copy.deepcopy(field)
    field.required = False
    return field


# An order decided (confirmed, rejected) or cancelled, with what order.placed said of it and
# when it was placed: a copy of orders that needs no pending order takes this one event
# instead of two. Its fields are order.placed's own, so the two cannot drift apart; optional,
# since events written before they existed carry only order_id and reason.
OrderSettled = OrderStatusChanged.from_dict(
    {
        **{n: _optional(f) for n, f in OrderPlaced._declared_fields.items() if n != "order_id"},
        "placed_at": fields.AwareDateTime(default_timezone=UTC),
    },
    name="OrderSettled",
)


class ReservedLine(Payload):
    sku = fields.Str(required=True)
    quantity = fields.Int(required=True)
    warehouse = fields.Str(required=True)


class StockReserved(Payload):
    order_id = fields.Str(required=True)
    lines = fields.List(fields.Nested(ReservedLine), required=True)


class ShortLine(Payload):
    sku = fields.Str(required=True)
    requested = fields.Int(required=True)
    available = fields.Int(required=True)


class ReservationRejected(Payload):
    order_id = fields.Str(required=True)
    reason = fields.Str(required=True)
    lines = fields.List(fields.Nested(ShortLine), required=True)


class StockReleased(Payload):
    order_id = fields.Str(required=True)
    # released (order cancelled or rejected) or expired (never confirmed within the hold).
    reason = fields.Str(allow_none=True)


class QuantityLine(Payload):
    sku = fields.Str(required=True)
    quantity = fields.Int(required=True)


class OrderShipped(Payload):
    order_id = fields.Str(required=True)
    lines = fields.List(fields.Nested(QuantityLine), required=True)


class CostedLine(QuantityLine):
    cost = fields.Decimal(as_string=True, required=True)


class StockIssued(Payload):
    order_id = fields.Str(required=True)
    lines = fields.List(fields.Nested(CostedLine), required=True)


class BilledLine(QuantityLine):
    unit_price = fields.Decimal(as_string=True, required=True)


class InvoiceIssued(Payload):
    invoice_id = fields.Str(required=True)
    number = fields.Str(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(["invoice", "credit_note"]))
    order_id = fields.Str(required=True)
    customer_id = fields.Str(required=True)
    total = fields.Decimal(as_string=True, required=True)
    currency = fields.Str(required=True)
    # Beyond the contract: net of tax, line by line, so revenue can be counted net of credit.
    subtotal = fields.Decimal(as_string=True)
    lines = fields.List(fields.Nested(BilledLine))


class ReturnLine(QuantityLine):
    condition = fields.Str(allow_none=True)


class ReturnChanged(Payload):
    return_id = fields.Str(required=True)
    order_id = fields.Str(required=True)
    resolution = fields.Str(required=True)
    lines = fields.List(fields.Nested(ReturnLine), required=True)


class RestockedLine(QuantityLine):
    # Beyond the contract: the FIFO cost the goods went back on the shelf at, the cost of
    # goods sold the order no longer carries (absent from older events).
    cost = fields.Decimal(as_string=True)


class StockRestocked(Payload):
    return_id = fields.Str(required=True)
    # Beyond the contract: the order the goods came back from (absent from older events).
    order_id = fields.Str()
    lines = fields.List(fields.Nested(RestockedLine), required=True)


class StockLow(Payload):
    sku = fields.Str(required=True)
    warehouse = fields.Str(required=True)
    available = fields.Int(required=True)
    reorder_point = fields.Int(required=True)
    suggested_quantity = fields.Int(required=True)


PAYLOADS: dict[str, type[Payload]] = {
    "customer.registered": CustomerData,
    "customer.updated": CustomerData,
    "customer.segment_changed": SegmentChanged,
    "customer.erased": CustomerErased,
    "customer.merged": CustomerMerged,
    "campaign.planned": CampaignPlanned,
    "ticket.opened": TicketChanged,
    "ticket.changed": TicketChanged,
    "product.created": ProductData,
    "product.updated": ProductData,
    "order.placed": OrderPlaced,
    "stock.reserved": StockReserved,
    "stock.reservation_rejected": ReservationRejected,
    "order.confirmed": OrderSettled,
    "order.rejected": OrderSettled,
    "order.cancelled": OrderSettled,
    "order.delivered": OrderStatusChanged,
    "stock.released": StockReleased,
    "order.shipped": OrderShipped,
    "stock.issued": StockIssued,
    "invoice.issued": InvoiceIssued,
    "return.requested": ReturnChanged,
    "return.received": ReturnChanged,
    "stock.restocked": StockRestocked,
    "stock.low": StockLow,
}


class Envelope(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Str(required=True, validate=validate.Length(min=1))
    type = fields.Str(required=True)
    version = fields.Int(required=True)
    occurred_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    producer = fields.Str(required=True)
    correlation_id = fields.Str(allow_none=True)
    causation_id = fields.Str(allow_none=True)
    data = fields.Dict(required=True)


_envelope = Envelope()


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    version: int
    occurred_at: datetime
    producer: str
    correlation_id: str | None
    causation_id: str | None
    data: dict


class UnknownEventType(ValueError):
    pass


@functools.cache
def _payload_schema(event_type: str) -> Payload:
    """One schema per event type for the life of the process: building a marshmallow schema
    costs more than using it, and using one keeps no state between calls."""
    try:
        return PAYLOADS[event_type]()
    except KeyError:
        raise UnknownEventType(event_type) from None


def new_event(
    event_type: str,
    data: dict,
    *,
    producer: str,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    occurred_at: datetime | None = None,
) -> dict:
    """Build a wire-ready envelope (JSON-safe dict), refusing a payload that breaks the contract."""
    schema = _payload_schema(event_type)
    payload = schema.dump(data)
    errors = schema.validate(payload)
    if errors:
        raise ValidationError(errors)
    event_id = str(uuid.uuid4())
    return {
        "id": event_id,
        "type": event_type,
        "version": ENVELOPE_VERSION,
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
        "producer": producer,
        "correlation_id": correlation_id or event_id,
        "causation_id": causation_id,
        "data": payload,
    }


def parse_event(message: dict) -> Event:
    """Load an envelope and its typed payload; raises ValidationError for a malformed one."""
    envelope = _envelope.load(message)
    envelope["data"] = _payload_schema(envelope["type"]).load(envelope["data"])
    return Event(**envelope)


def quantities_by_sku(lines) -> dict[str, int]:
    """Lines (of a payload or a request) naming the same SKU, summed, in the order first named."""
    totals: dict[str, int] = {}
    for line in lines:
        totals[line["sku"]] = totals.get(line["sku"], 0) + line["quantity"]
    return totals


# How far along its life an order is, for consumers of order.* events. Events carry no global
# order, so a consumer's copy of a status only ever moves to one further along; a late or
# repeated event changes nothing. This ranking is all the contract holds of the life cycle:
# which status may follow which is the orders service's own (its tests keep the two in step).
ORDER_STATUS_PROGRESS = {
    "pending": 0,
    "confirmed": 1,
    "rejected": 1,
    "partially_shipped": 2,
    "cancelled": 2,
    "shipped": 3,
    "delivered": 4,
}
