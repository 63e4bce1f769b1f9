"""Orders are priced from the catalogue and move only along the status machine."""

from decimal import Decimal

import pytest

from orders.domain import PricingError, can_move, order_number, price_order

CATALOGUE = {
    "A": {"unit_price": Decimal("19.99"), "currency": "EUR"},
    "B": {"unit_price": Decimal("5.00"), "currency": "EUR"},
    "USD-ONLY": {"unit_price": Decimal("1.00"), "currency": "USD"},
}


def test_totals_come_from_catalogue_prices_and_the_tax_rate():
    order = price_order(
        [{"sku": "A", "quantity": 3}, {"sku": "B", "quantity": 1}], CATALOGUE, Decimal("0.2")
    )
    assert [(line.sku, line.line_total) for line in order.lines] == [
        ("A", Decimal("59.97")),
        ("B", Decimal("5.00")),
    ]
    assert (order.subtotal, order.tax, order.total) == (
        Decimal("64.97"),
        Decimal("12.99"),
        Decimal("77.96"),
    )


def test_lines_for_the_same_sku_are_merged():
    order = price_order(
        [{"sku": "B", "quantity": 1}, {"sku": "B", "quantity": 2}], CATALOGUE, Decimal(0)
    )
    assert [(line.sku, line.quantity) for line in order.lines] == [("B", 3)]


def test_an_unknown_sku_is_reported_by_line():
    with pytest.raises(PricingError) as error:
        price_order(
            [{"sku": "A", "quantity": 1}, {"sku": "Z", "quantity": 1}], CATALOGUE, Decimal(0)
        )
    assert error.value.errors == {"lines": {"1": {"sku": ["Unknown SKU Z."]}}}


def test_an_order_is_in_one_currency():
    with pytest.raises(PricingError):
        price_order(
            [{"sku": "A", "quantity": 1}, {"sku": "USD-ONLY", "quantity": 1}], CATALOGUE, Decimal(0)
        )


@pytest.mark.parametrize(
    "current,target,allowed",
    [
        ("pending", "confirmed", True),
        ("pending", "rejected", True),
        ("pending", "cancelled", True),
        ("confirmed", "shipped", True),
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
