"""Forecast use case: a SKU's, a category's or all demand, by day, week or month, with its
interval and backtest figures. Each takes the caller's unit of work."""

from __future__ import annotations

from datetime import date

from analytics.forecast import db
from analytics.forecast.domain import forecast
from analytics.reports.domain import next_period, period_of
from erp_shared.errors import Unknown
from erp_shared.uow import UnitOfWork


def demand_series(uow: UnitOfWork, sku, category, granularity) -> tuple[list[date], list[float]]:
    """Units per period from the first sale to the period before the current one (a period
    still running would read as a drop), with zeros where nothing sold."""
    totals: dict[date, float] = {}
    for day, units in db.daily_units(uow.conn, sku, category):
        period = period_of(day, granularity)
        totals[period] = totals.get(period, 0.0) + float(units)
    current = period_of(uow.now.date(), granularity)
    periods, period = [], min(totals) if totals else current
    while period < current:
        periods.append(period)
        period = next_period(period, granularity)
    return periods, [totals.get(p, 0.0) for p in periods]


def forecast_demand(uow: UnitOfWork, query: dict) -> dict:
    sku, category, granularity = query.get("sku"), query.get("category"), query["granularity"]
    if sku and not db.known_sku(uow.conn, sku):
        raise Unknown(f"No sales or product known for SKU {sku}.")
    periods, values = demand_series(uow, sku, category, granularity)
    answer = forecast(values, granularity, query["horizon"])
    period, points = period_of(uow.now.date(), granularity), []
    for value, lower, upper in answer.points:
        points.append({"period": period, "forecast": value, "lower": lower, "upper": upper})
        period = next_period(period, granularity)
    return {
        "sku": sku,
        "category": category,
        "granularity": granularity,
        "method": answer.method,
        "history_periods": len(periods),
        "points": points,
        "backtest": {
            "mase": answer.mase,
            "smape": answer.smape,
            "baseline_mase": answer.baseline_mase,
        },
    }
