"""Demand series from the sales figures, free of SQL: units per period from a SKU's first
sale up to the period before the current one (a period still running would read as a
drop), with zeros where nothing sold."""

from __future__ import annotations

from datetime import date

from analytics.domain import next_period


def filled(rows, current: date, granularity: str) -> dict[str, list[float]]:
    """{key: units per period} from (key, period, units) rows sorted by key then period."""
    series: dict[str, list[float]] = {}
    for key, first, totals in _grouped(rows):
        values, period = [], first
        while period < current:
            values.append(float(totals.get(period, 0)))
            period = next_period(period, granularity)
        series[key] = values
    return series


def _grouped(rows):
    key, totals = None, {}
    for row_key, period, units in rows:
        if row_key != key and totals:
            yield key, min(totals), totals
            totals = {}
        key = row_key
        totals[period] = totals.get(period, 0) + units
    if totals:
        yield key, min(totals), totals
