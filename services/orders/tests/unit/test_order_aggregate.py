"""An order is priced from the catalogue, moves only along its status machine and records the
events its moves cause."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from erp_shared.errors import Invalid, NotAllowed
from orders.pricing import TaxRates
from orders.replicas.domain import CataloguePrice
from orders.sales.domain import Order, can_move, order_number, price_lines

CATALOGUE = {
    "A": CataloguePrice("A", Decimal("19.99"), "EUR", None),
    "B": CataloguePrice("B", Decimal("5.00"), "EUR", None),
    "USD-ONLY": CataloguePrice("USD-ONLY", Decimal("1.00"), "USD", None),
    "OLD": CataloguePrice("OLD", Decimal("1.00"), "EUR", None, active=False),
}
NOON = datetime(2026, 11, 29, 12, tzinfo=UTC)


def placed(lines=({"sku": "A", "quantity": 3}, {"sku": "B", "quantity": 1}), tax="0.2", **kw):
    priced, currency = price_lines(list(lines), CATALOGUE, TaxRates(Decimal(tax)))
    return Order.place(
        id="o-1",
        number="SO-2026-000001",
        customer_id="c-1",
        channel="web",
        lines=priced,
        currency=currency,
        placed_by="ada",
        at=NOON,
        **kw,
    )


def test_totals_come_from_catalogue_prices_and_the_tax_rate():
    order = placed()
    assert [(line.sku, line.line_total) for line in order.lines] == [
        ("A", Decimal("59.97")),
        ("B", Decimal("5.00")),
    ]
    # Tax per line, half-even: 59.97 x 0.2 = 11.994 -> 11.99; 5.00 x 0.2 = 1.00.
    assert (order.subtotal, order.tax, order.total, order.currency) == (
        Decimal("64.97"),
        Decimal("12.99"),
        Decimal("77.96"),
        "EUR",
    )


def test_a_placed_order_is_pending_since_it_was_created_and_announces_itself():
    order = placed()
    assert order.status == "pending"
    assert [(h.status, h.at, h.actor) for h in order.history] == [
        ("pending", order.created_at, "ada")
    ]
    [(event_type, data)] = order.pending_events
    assert event_type == "order.placed"
    assert data["lines"] == [
        {"sku": "A", "quantity": 3, "unit_price": Decimal("19.99")},
        {"sku": "B", "quantity": 1, "unit_price": Decimal("5.00")},
    ]
    assert (data["subtotal"], data["total"]) == (Decimal("64.97"), Decimal("77.96"))


def test_lines_for_the_same_sku_are_merged():
    order = placed([{"sku": "B", "quantity": 1}, {"sku": "B", "quantity": 2}])
    assert [(line.sku, line.quantity) for line in order.lines] == [("B", 3)]


def test_an_unknown_sku_is_reported_by_line():
    with pytest.raises(Invalid) as error:
        placed([{"sku": "A", "quantity": 1}, {"sku": "Z", "quantity": 1}])
    assert error.value.errors == {"lines": {"1": {"sku": ["Unknown SKU Z."]}}}


def test_an_order_is_in_one_currency():
    with pytest.raises(Invalid):
        placed([{"sku": "A", "quantity": 1}, {"sku": "USD-ONLY", "quantity": 1}])


def test_a_discontinued_product_cannot_be_ordered():
    with pytest.raises(Invalid) as error:
        placed([{"sku": "OLD", "quantity": 1}])
    assert error.value.errors == {"lines": {"0": {"sku": ["OLD is discontinued."]}}}


def test_an_order_over_the_credit_limit_is_rejected_unannounced_until_approved():
    order = placed(credit_limit=Decimal("100.00"), open_amount=Decimal("30.00"))
    assert (order.status, order.rejected_for) == ("rejected", "credit")
    assert "credit limit exceeded: 30.00 open + 77.96 this order > 100.00" in order.rejection_reason
    assert order.pending_events == []
    order.approve(NOON, "boss")
    assert (order.status, order.approved_by) == ("pending", "boss")
    assert [event for event, _ in order.pending_events] == ["order.placed"]


def test_a_partial_shipment_then_the_rest():
    order = placed()
    order.confirm(NOON)
    first = order.ship({"A": 1}, NOON, "picker")
    assert [(line.sku, line.quantity) for line in first] == [("A", 1)]
    assert order.status == "partially_shipped"
    with pytest.raises(Invalid):
        order.ship({"A": 3}, NOON, "picker")
    order.ship(None, NOON, "picker")
    assert order.status == "shipped"
    assert [(line.shipped, line.to_ship) for line in order.lines] == [(3, 0), (1, 0)]
    with pytest.raises(NotAllowed):
        order.cancel(NOON, "ada")


def test_confirming_moves_a_pending_order_and_records_order_confirmed():
    order = placed()
    [(_, announced)] = order.pending_events
    order.pending_events.clear()
    later = NOON + timedelta(seconds=1)
    order.confirm(later)
    assert (order.status, order.updated_at) == ("confirmed", later)
    assert [h.status for h in order.history] == ["pending", "confirmed"]
    [(event_type, data)] = order.pending_events
    assert event_type == "order.confirmed"
    # The decision carries the order as order.placed told it, and when it was placed, so
    # analytics needs this one event.
    assert data == {**announced, "reason": None, "placed_at": NOON}


def test_a_stale_or_repeated_answer_from_inventory_changes_nothing():
    order = placed()
    order.reject("insufficient stock", NOON)
    order.pending_events.clear()
    order.confirm(NOON)
    order.reject("again", NOON)
    assert (order.status, order.rejection_reason) == ("rejected", "insufficient stock")
    assert [h.status for h in order.history] == ["pending", "rejected"]
    assert order.pending_events == []


@pytest.mark.parametrize(
    "current,target,allowed",
    [
        ("pending", "confirmed", True),
        ("pending", "rejected", True),
        ("pending", "cancelled", True),
        ("confirmed", "shipped", True),
        ("confirmed", "partially_shipped", True),
        ("partially_shipped", "cancelled", False),
        ("confirmed", "rejected", False),
        ("rejected", "confirmed", False),
        ("shipped", "cancelled", False),
        ("shipped", "delivered", True),
        ("delivered", "pending", False),
    ],
)
def test_the_status_machine(current, target, allowed):
    assert can_move(current, target) is allowed


def test_order_numbers_are_per_year_and_sortable():
    assert order_number(2026, 42) == "SO-2026-000042"


def test_an_order_keeps_the_moves_it_made_until_they_are_saved():
    order = placed()
    assert order.new_history == order.history and order.changed
    order.saved()
    assert not order.changed
    order.confirm(NOON)
    order.confirm(NOON)  # repeated: no move
    assert [h.status for h in order.new_history] == ["confirmed"]
    assert [h.status for h in order.history] == ["pending", "confirmed"]


def test_every_status_change_is_written_to_the_history_with_who_and_why():
    order = placed(credit_limit=Decimal("10.00"))
    order.approve(NOON, "boss")
    order.confirm(NOON, "inventory")
    order.ship({"A": 1}, NOON, "picker")
    order.ship(None, NOON, "picker")
    assert [(h.status, h.reason, h.actor) for h in order.history[2:]] == [
        ("pending", "credit override", "boss"),
        ("confirmed", None, "inventory"),
        ("partially_shipped", None, "picker"),
        ("shipped", None, "picker"),
    ]
    assert [event for event, _ in order.pending_events] == [
        "order.placed",
        "order.confirmed",
        "order.shipped",
        "order.shipped",
    ]


def test_shipping_and_taking_back_change_the_lines_and_say_so():
    order = placed()
    order.confirm(NOON)
    order.saved()
    order.ship({"B": 1}, NOON, "picker")
    assert order.lines_changed
    order.saved()
    order.take_back({"B": 1})
    assert order.changed and order.new_history == []
    assert order.line("B").returned == 1
