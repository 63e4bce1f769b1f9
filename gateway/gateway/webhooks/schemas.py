"""The JSON shapes of the webhooks API: what an admin sends, and what it is shown."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.events import PAYLOADS
from erp_shared.schemas import Changes
from gateway.webhooks.domain import MAX_URL_LENGTH, SETTABLE_STATUSES, STATUSES

EVENT_TYPES = sorted(PAYLOADS)


def _url(**options) -> fields.Str:
    return fields.Str(
        validate=validate.Length(min=1, max=MAX_URL_LENGTH),
        metadata={
            "description": "https outside development; a host resolving to a private, "
            "loopback or link-local address only if GATEWAY_WEBHOOK_ALLOW_HOSTS names it."
        },
        **options,
    )


def _events(**options) -> fields.List:
    return fields.List(
        fields.Str(validate=validate.OneOf(EVENT_TYPES)),
        validate=validate.Length(min=1, max=len(EVENT_TYPES)),
        metadata={"description": "Event types of the event contract (docs/events.md)."},
        **options,
    )


class WebhookIn(Schema):
    url = _url(required=True)
    events = _events(required=True)
    description = fields.Str(validate=validate.Length(max=500))


class WebhookPatch(Changes):
    url = _url()
    events = _events()
    description = fields.Str(validate=validate.Length(max=500), allow_none=True)
    status = fields.Str(
        validate=validate.OneOf(SETTABLE_STATUSES),
        metadata={"description": "paused holds deliveries; active resumes (a disabled one too)."},
    )


class WebhookOut(Schema):
    id = fields.Str()
    url = fields.Str()
    events = fields.List(fields.Str())
    description = fields.Str(allow_none=True)
    status = fields.Str(validate=validate.OneOf(STATUSES))
    disabled_reason = fields.Str(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class WebhookWithSecretOut(WebhookOut):
    secret = fields.Str(
        metadata={"description": "Signs every delivery; shown in this answer only."}
    )


class AttemptOut(Schema):
    at = fields.AwareDateTime()
    status_code = fields.Int(allow_none=True)
    error = fields.Str(allow_none=True)
    latency_ms = fields.Int()


class DeliveryOut(Schema):
    id = fields.Int()
    event_id = fields.Str(metadata={"description": "The webhook-id header of every attempt."})
    event_type = fields.Str()
    subject = fields.Str()
    status = fields.Str(validate=validate.OneOf(["pending", "delivered"]))
    failures = fields.Int(metadata={"description": "Failed attempts in a row, so far."})
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    delivered_at = fields.AwareDateTime(allow_none=True)
    log = fields.List(fields.Nested(AttemptOut), metadata={"description": "Newest first."})


class ReplayQuery(Schema):
    since = fields.AwareDateTime(required=True)


class ReplayOut(Schema):
    replayed = fields.Int(metadata={"description": "Deliveries due again."})
