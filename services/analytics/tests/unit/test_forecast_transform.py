"""The variance-stabilising transform and the seasonal-naive fallback: a series whose
seasonal swing grows with its level is forecast on the log scale with its
interval transformed back (asymmetric, positive), a steady swing is left as it is, and a
series nothing beats in the backtest is answered with seasonal naive."""

import math
import random

import numpy as np

from analytics.forecast.domain import choice, forecast, scales, swing_grows_with_level


def growing_multiplicative(months: int = 96, seed: int = 7) -> list[float]:
    """Sales growing 3% a month whose seasonal swing is a share of the level."""
    rng = random.Random(seed)
    return [
        100 * 1.03**t * (1 + 0.4 * math.sin(2 * math.pi * t / 12)) * rng.gauss(1, 0.03)
        for t in range(months)
    ]


def steady_additive(months: int = 96, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    return [
        500 + 2 * t + 60 * math.sin(2 * math.pi * t / 12) + rng.gauss(0, 10) for t in range(months)
    ]


def test_a_swing_growing_with_the_level_calls_for_a_transform_a_steady_one_does_not():
    assert swing_grows_with_level(np.array(growing_multiplicative()), 12)
    assert [s.name for s in scales(np.array(growing_multiplicative()), 12)][:2] == ["", "log"]
    assert not swing_grows_with_level(np.array(steady_additive()), 12)
    assert [s.name for s in scales(np.array(steady_additive()), 12)] == [""]


def test_a_growing_multiplicative_series_is_forecast_on_a_transformed_scale():
    answer = forecast(growing_multiplicative(), "month", 12)
    assert answer.method.endswith("_log")
    for value, lower, upper in answer.points:
        assert 0 < lower < value < upper and math.isfinite(upper)
        assert upper - value > value - lower  # transformed back: wider above than below
    assert answer.mase < answer.baseline_mase


def test_the_transformed_forecast_beats_seasonal_naive_on_what_was_held_back():
    series = growing_multiplicative(108, seed=11)
    past, future = series[:-12], np.array(series[-12:])
    predicted = np.array([point[0] for point in forecast(past, "month", 12).points])
    naive = np.array(past[-12:])
    assert np.abs(predicted - future).mean() < 0.8 * np.abs(naive - future).mean()


def test_a_series_nothing_beats_in_the_backtest_is_answered_with_seasonal_naive():
    rng = random.Random(5)
    week = [rng.uniform(50, 150) for _ in range(7)]
    series = [week[t % 7] for t in range(70)]  # the same week, again and again
    answer = forecast(series, "day", 14)
    assert answer.method == "seasonal_naive"
    assert [point[0] for point in answer.points] == [round(week[t % 7], 4) for t in range(14)]


def test_the_choice_falls_back_to_seasonal_naive_only_when_nothing_beats_it():
    assert choice({"seasonal_naive": 1.0, "ets": 1.2, "combination": 1.1}) == "seasonal_naive"
    assert choice({"seasonal_naive": 1.0, "ets": 0.95, "combination": 1.1}) == "ets"
    assert choice({"seasonal_naive": 1.0, "ets": 0.7, "combination": 0.8}) == "combination"
    assert choice({"seasonal_naive": 1.0, "ets": 0.5, "combination": 0.8}) == "ets"
