"""What every analytics package counts the same way, free of Flask and SQL: which orders are
sales, and the calendar periods figures are summed by. The replica keeps its rollups by these
periods, reports and forecasts read them back, RFM and basket analysis count the same orders;
one definition here keeps a report, a forecast and a segment of the same month in agreement.
"""

from __future__ import annotations

from datetime import date, timedelta

# A rejected or cancelled order never earned anything: only confirmed orders are sales.
COUNTED_STATUSES = ("confirmed", "partially_shipped", "shipped", "delivered")

GRANULARITIES = ("day", "week", "month")


def week_of(day: date) -> date:
    """The Monday a day's week starts on."""
    return day - timedelta(days=day.weekday())


def month_of(day: date) -> date:
    return day.replace(day=1)


def period_of(day: date, granularity: str) -> date:
    return {"day": lambda d: d, "week": week_of, "month": month_of}[granularity](day)


def next_period(period: date, granularity: str) -> date:
    if granularity == "day":
        return period + timedelta(days=1)
    if granularity == "week":
        return period + timedelta(days=7)
    return (period.replace(day=28) + timedelta(days=4)).replace(day=1)
