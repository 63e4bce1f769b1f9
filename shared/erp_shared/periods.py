"""The period a report covers, as every report's `from` and `to` give it: inclusive days,
the last 30 days when left out. An API convention, not a business rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from erp_shared.errors import Invalid

DEFAULT_PERIOD_DAYS = 30
# No report reaches further back, so a period and the one before it stay in the calendar.
EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts (cut at the
        calendar's first day, for a period longer than the years before it)."""
        end = self.start - timedelta(days=1)
        return Period(date.fromordinal(max(1, end.toordinal() - self.days + 1)), end)


def period(start: date | None, end: date | None, today: date) -> Period:
    end = end or today
    start = start or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > end:
        raise Invalid("from must not be after to", {"from": ["from must not be after to"]})
    if start < EARLIEST:
        raise Invalid("Reports start in 1900 or later.", {"from": [f"From {EARLIEST} on."]})
    return Period(start, end)
