"""Forecasts on series whose seasonality and trend are known: better than seasonal naive on
what was held back, intervals that hold about 95% of it, and sensible answers for short,
intermittent, shifted or negative series."""

import math
import random

import numpy as np
import pytest

from analytics.forecast.domain import forecast, seasonal_naive


def monthly(rng: random.Random, months: int, trend: float, amplitude: float, noise: float):
    return [
        100 + trend * t + amplitude * math.sin(2 * math.pi * t / 12) + rng.gauss(0, noise)
        for t in range(months)
    ]


def held_back(series, horizon=12):
    return series[:-horizon], np.array(series[-horizon:])


def test_seasonal_trending_series_beat_seasonal_naive_and_intervals_cover_95_percent():
    rng = random.Random(3)
    ratios, inside, total = [], 0, 0
    for _ in range(12):
        series = monthly(rng, 72, trend=rng.uniform(0.5, 2), amplitude=rng.uniform(10, 30), noise=4)
        past, future = held_back(series)
        answer = forecast(past, "month", 12)
        predicted = np.array([point[0] for point in answer.points])
        naive = seasonal_naive(np.array(past), 12, 12)
        ratios.append(np.abs(predicted - future).mean() / np.abs(naive - future).mean())
        for (_, lower, upper), actual in zip(answer.points, future, strict=True):
            inside += lower <= actual <= upper
            total += 1
        assert answer.mase is not None and answer.baseline_mase is not None
    assert math.exp(np.mean(np.log(ratios))) < 0.8  # clearly better than seasonal naive
    assert 0.85 <= inside / total <= 1.0


@pytest.mark.parametrize(
    "series",
    [
        [5, 7, 6],
        [0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 4, 0, 0, 1, 0, 0, 0],
        [10] * 20 + [60] * 20,
        [3, -2, 5, 4, -1, 6, 2, 3, 5, 4, 6, 7, 5, 3],
        [0] * 10,
        [],
        [4, 5, 6, 5, 4, 6],
        [4, 5, 6, 5, 4, 6, 7],
    ],
    ids=[
        "three points",
        "intermittent",
        "level shift",
        "negative values",
        "all zeros",
        "no history",
        "six points",
        "seven points",
    ],
)
def test_awkward_series_still_answer(series):
    answer = forecast(series, "month", 6)
    assert len(answer.points) == 6
    for value, lower, upper in answer.points:
        assert 0 <= lower <= value <= upper and math.isfinite(upper)
