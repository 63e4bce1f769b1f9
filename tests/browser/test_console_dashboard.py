"""The analyst's dashboard draws sales by month from the API's numbers, and the forecast
with its interval band."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytestmark = pytest.mark.e2e


def test_the_dashboard_chart_draws_each_months_revenue(console):
    console.become("analyst")
    console.find("#sales-by-month svg")
    bars = {bar.get_attribute("data-label"): bar for bar in console.all("#sales-by-month g.bar")}
    assert len(bars) == 12
    heights = {}
    for month, revenue in console.seeded.history.items():
        assert Decimal(bars[month].get_attribute("data-value")) == Decimal(revenue)
        rect = bars[month].find_element("css selector", "rect")
        assert rect.get_attribute("innerHTML").endswith(f"{Decimal(revenue):,.2f}</title>")
        heights[month] = float(rect.get_attribute("height"))
    # Drawn to scale: each bar's height is its revenue over the same axis.
    (first, a), (second, b) = list(console.seeded.history.items())[:2]
    assert heights[first] / heights[second] == pytest.approx(float(Decimal(a) / Decimal(b)), 0.01)
    console.find("#forecast svg polygon.band")
    assert console.text_of("#forecast .backtest").startswith("Backtest:")
    console.find("#segments table")
    console.find("#top table")
    assert console.foreign_requests() == []
    console.screenshot("dashboard")
