"""The period a report covers, as every report's `from` and `to` give it: inclusive days,
the last 30 days when left out. An API convention, not a business rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from erp_shared.errors import Invalid

DEFAULT_PERIOD_DAYS = 30


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)


def period(start: date | None, end: date | None, today: date) -> Period:
    end = end or today
    start = start or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > end:
        raise Invalid("from must not be after to", {"from": ["from must not be after to"]})
    return Period(start, end)
