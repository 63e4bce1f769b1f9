"""The console's chart geometry: round axis steps, bars drawn to scale, and a forecast band
that encloses its line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.console import charts


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, [0.0, 1.0]),
        (7, [0, 2, 4, 6, 8]),
        (1500, [0, 500, 1000, 1500]),
        (0.3, [0, 0.1, 0.2, 0.3]),
    ],
)
def test_axis_ticks_are_round_and_reach_the_largest_value(largest, ticks):
    assert charts.nice_ticks(largest) == pytest.approx(ticks)


def test_bars_are_drawn_to_scale_on_one_baseline():
    drawn = charts.bars([("Jan", Decimal("1200")), ("Feb", Decimal("0")), ("Mar", Decimal("300"))])
    jan, feb, mar = drawn["bars"]
    assert jan["height"] == pytest.approx(4 * mar["height"], abs=0.2)
    assert feb["height"] == 0
    assert jan["y"] + jan["height"] == pytest.approx(drawn["baseline"], abs=0.1)


def test_the_forecast_band_lies_around_its_line():
    points = [
        {"period": "2026-12-01", "forecast": 10.0, "lower": 6.0, "upper": 14.0},
        {"period": "2027-01-01", "forecast": 12.0, "lower": 7.0, "upper": 17.0},
    ]
    drawn = charts.band(points)
    for dot, point in zip(drawn["dots"], points, strict=True):
        ys = [float(pair.split(",")[1]) for pair in drawn["band"].split()]
        assert min(ys) <= dot["y"] <= max(ys)
        assert dot["forecast"] == point["forecast"]
