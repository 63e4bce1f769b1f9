"""Report periods and the summary figures."""

from datetime import date
from decimal import Decimal

import pytest

from analytics.reports.domain import Figures, summary
from erp_shared.errors import Invalid
from erp_shared.periods import Period, period


def test_the_default_period_is_the_last_thirty_days():
    assert period(None, None, date(2026, 3, 31)) == Period(date(2026, 3, 2), date(2026, 3, 31))


def test_the_previous_period_has_the_same_length_and_ends_the_day_before():
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(
        date(2026, 1, 29), date(2026, 2, 28)
    )


def test_from_after_to_is_refused():
    with pytest.raises(Invalid):
        period(date(2026, 2, 1), date(2026, 1, 1), date(2026, 3, 1))


def test_summary_of_no_orders_is_zero_not_an_error():
    assert summary(Figures(Decimal(0), 0, 0, 0))["average_order_value"] == Decimal("0.00")


def test_average_order_value_and_returns_rate():
    figures = summary(Figures(Decimal("100"), 3, 10, 1))
    assert figures["average_order_value"] == Decimal("33.33")
    assert figures["returns_rate"] == 0.1
