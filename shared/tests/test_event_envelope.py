"""The envelope and payload contract as producers and consumers see it."""

from decimal import Decimal

import pytest
from marshmallow import ValidationError

from erp_shared.events import new_event, parse_event


def test_an_event_carries_the_contract_envelope():
    event = new_event(
        "product.created",
        {
            "sku": "A",
            "name": "Chair",
            "unit_price": Decimal("9.5"),
            "currency": "EUR",
            "category": None,
        },
        producer="inventory",
        correlation_id="req-1",
    )
    assert set(event) == {
        "id",
        "type",
        "version",
        "occurred_at",
        "producer",
        "correlation_id",
        "causation_id",
        "data",
    }
    assert event["correlation_id"] == "req-1"
    assert event["data"]["unit_price"] == "9.5"


def test_a_producer_cannot_emit_a_payload_missing_a_field():
    with pytest.raises(ValidationError) as error:
        new_event("order.confirmed", {}, producer="orders")
    assert "order_id" in error.value.messages


def test_a_consumer_ignores_fields_it_does_not_know():
    event = new_event("order.confirmed", {"order_id": "o-1"}, producer="orders")
    event["data"]["added_in_a_later_version"] = True
    event["new_envelope_field"] = "x"
    parsed = parse_event(event)
    assert parsed.data == {"order_id": "o-1"}
    assert parsed.occurred_at.tzinfo is not None
