"""Forecast use case: a SKU's, a category's or all demand, by day, week or month, with its
interval and backtest figures. Each takes the caller's unit of work."""

from __future__ import annotations

from analytics.domain import next_period, period_of
from analytics.forecast import db
from analytics.forecast.domain import forecast
from analytics.forecast.series import filled
from erp_shared.errors import Unknown
from erp_shared.uow import UnitOfWork


def demand_series(uow: UnitOfWork, sku, category, granularity) -> list[float]:
    rows = [
        ("", period_of(day, granularity), units)
        for day, units in db.daily_units(uow.conn, sku, category)
    ]
    return filled(rows, period_of(uow.now.date(), granularity), granularity).get("", [])


# How many of the latest periods make the recent run rate a forecast is shown beside.
RECENT = 3


def forecast_demand(uow: UnitOfWork, query: dict) -> dict:
    sku, category, granularity = query.get("sku"), query.get("category"), query["granularity"]
    if sku and not db.known_sku(uow.conn, sku):
        raise Unknown(f"No sales or product known for SKU {sku}.")
    values = demand_series(uow, sku, category, granularity)
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
        "history_periods": len(values),
        # The recent run rate the forecast is read against: the last RECENT periods' mean.
        "recent_average": sum(values[-RECENT:]) / len(values[-RECENT:]) if values else None,
        "points": points,
        "backtest": {
            "mase": answer.mase,
            "smape": answer.smape,
            "baseline_mase": answer.baseline_mase,
        },
    }
