"""A report's period: the previous period of a long one stays in the calendar, and a period
from before 1900 is refused rather than failing."""

from __future__ import annotations

from datetime import date

import pytest

from erp_shared.errors import Invalid
from erp_shared.periods import Period, period

TODAY = date(2026, 11, 29)


def test_the_previous_period_ends_the_day_before_and_is_as_long():
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(
        date(2026, 1, 29), date(2026, 2, 28)
    )


def test_the_previous_period_of_the_longest_report_is_cut_at_the_first_day():
    longest = period(date(1900, 1, 1), date(9999, 12, 31), TODAY)
    assert longest.previous() == Period(date(1, 1, 1), date(1899, 12, 31))


def test_a_period_from_before_1900_is_refused():
    with pytest.raises(Invalid) as refused:
        period(date(48, 12, 4), TODAY, TODAY)
    assert "from" in refused.value.errors
