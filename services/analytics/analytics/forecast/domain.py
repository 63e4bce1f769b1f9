"""Demand forecasts with their measured accuracy, free of Flask and SQL.

Each series gets the method that forecast its own past best. Candidates: seasonal naive,
ETS with a damped additive trend and additive or (for positive series) multiplicative
seasonality, Theta and a seasonal ARIMA (statsmodels), and the median of the best three, a
combination the M3/M4 competitions found hard to beat. They are compared by a rolling-origin
backtest: from each of the last few origins, forecast the next points from what came before
and score them with MASE (errors over the in-sample seasonal-naive error) and sMAPE. Every
answer carries the chosen method's backtest MASE and sMAPE and the seasonal naive's MASE on
the same origins.

The 95% interval is empirical: +-1.96 times the standard deviation of the chosen method's
backtest errors, widened with the square root of the step ahead, and never below zero.
Short histories (up to MIN_POINTS) get the mean of their last points; intermittent
demand (mostly zeros) gets TSB, which forecasts how often and how much separately.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

SEASONS = {"day": 7, "week": 52, "month": 12}
MIN_POINTS = 6
ORIGINS = 3
INTERMITTENT_ZEROS = 0.5
Z95 = 1.959964


@dataclass(frozen=True)
class Forecast:
    method: str
    points: list[tuple[float, float, float]]  # forecast, lower, upper
    mase: float | None
    smape: float | None
    baseline_mase: float | None


def seasonal_naive(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    m = season if len(history) >= season else 1
    last = history[-m:]
    return np.array([last[h % m] for h in range(horizon)], dtype=float)


def _ets(history: np.ndarray, horizon: int, season: int, seasonal: str | None) -> np.ndarray:
    """Starting states from Hyndman's heuristic and no brute-force start grid: a tenth of
    the cost of estimating them, which is what lets a whole catalogue be forecast."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    use_season = seasonal if len(history) >= 2 * season + 1 else None
    model = ExponentialSmoothing(
        history,
        trend="add",
        damped_trend=True,
        seasonal=use_season,
        seasonal_periods=season if use_season else None,
        initialization_method="heuristic" if use_season else "estimated",
    )
    return np.asarray(model.fit(use_brute=False).forecast(horizon), dtype=float)


def ets_additive(history, horizon, season):
    return _ets(history, horizon, season, "add")


def ets_multiplicative(history, horizon, season):
    if np.min(history) <= 0:  # a zero or a negative value would break the model
        return _ets(history, horizon, season, "add")
    return _ets(history, horizon, season, "mul")


def theta(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    deseasonalize = len(history) >= 2 * season and np.min(history) > 0
    model = ThetaModel(history, period=season, deseasonalize=deseasonalize)
    return np.asarray(model.fit().forecast(horizon), dtype=float)


def arima(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """ARIMA(1,1,0)(0,1,0)m: an autoregression on the seasonally differenced changes, fitted
    by Yule-Walker (milliseconds, no optimiser); ARIMA(1,1,0) before two seasons exist."""
    from statsmodels.tsa.arima.model import ARIMA

    seasonal = (0, 1, 0, season) if len(history) >= 2 * season + 3 else (0, 0, 0, 0)
    model = ARIMA(history, order=(1, 1, 0), seasonal_order=seasonal)
    return np.asarray(model.fit(method="yule_walker").forecast(horizon), dtype=float)


def tsb(history: np.ndarray, horizon: int, season: int, alpha=0.1, beta=0.1) -> np.ndarray:
    """Teunter-Syntetos-Babai: probability of demand times its size, each smoothed."""
    demand = history[history > 0]
    probability, size = (history > 0).mean(), (demand.mean() if len(demand) else 0.0)
    for value in history:
        probability += beta * ((value > 0) - probability)
        if value > 0:
            size += alpha * (value - size)
    return np.full(horizon, probability * size)


# What the combination takes the median of: every model-based candidate.
COMBINED = ("ets_additive", "ets_multiplicative", "theta", "arima")
CLEAR_WIN = 0.75

CANDIDATES = {
    "seasonal_naive": seasonal_naive,
    "ets_additive": ets_additive,
    "ets_multiplicative": ets_multiplicative,
    "theta": theta,
    "arima": arima,
}


def _scale(history: np.ndarray, season: int) -> float:
    """The in-sample seasonal-naive error MASE divides by (the naive one for short series)."""
    m = season if len(history) > season else 1
    diffs = np.abs(history[m:] - history[:-m])
    return float(diffs.mean()) if len(diffs) and diffs.mean() > 0 else 1.0


def _combined(forecasts: dict) -> np.ndarray | None:
    """The median of the model-based candidates' forecasts, when they are all there."""
    if not all(name in forecasts for name in COMBINED):
        return None
    return np.median([forecasts[name] for name in COMBINED], axis=0)


def _backtest(history: np.ndarray, season: int, horizon: int, methods) -> dict:
    """Errors of each method, and of their combination, from the last ORIGINS origins,
    `horizon` steps each. Nothing here looks at an origin's actuals before forecasting."""
    step = max(1, min(horizon, len(history) // 4))
    first = max(MIN_POINTS, len(history) - ORIGINS * step)
    errors = {name: [] for name in methods}
    actuals = []
    for origin in range(first, len(history) - step + 1, step):
        train, actual = history[:origin], history[origin : origin + step]
        forecasts = {name: _fit(method, train, step, season) for name, method in methods.items()}
        combined = _combined(forecasts)
        if combined is not None:
            forecasts["combination"] = combined
        actuals.append((actual, _scale(train, season)))
        for name, values in forecasts.items():
            errors.setdefault(name, []).append(values - actual)
    return {"errors": errors, "actuals": actuals}


def _mase(errors, actuals) -> float:
    return float(
        np.mean([np.abs(e).mean() / scale for e, (_, scale) in zip(errors, actuals, strict=True)])
    )


def _smape(errors, actuals) -> float:
    ratios = []
    for error, (actual, _) in zip(errors, actuals, strict=True):
        forecast = actual + error
        denominator = np.abs(actual) + np.abs(forecast)
        ratios.append(
            np.where(
                denominator > 0, 2 * np.abs(error) / np.where(denominator > 0, denominator, 1), 0
            ).mean()
        )
    return float(100 * np.mean(ratios))


def forecast(series: list[float], granularity: str, horizon: int) -> Forecast:
    history = np.asarray(series, dtype=float)
    season = SEASONS[granularity]
    if len(history) <= MIN_POINTS:  # too short to hold any point back for a backtest
        level = float(history[-3:].mean()) if len(history) else 0.0
        spread = float(history.std()) if len(history) > 1 else abs(level) * 0.5
        return _answer("recent_mean", np.full(horizon, level), spread, None, None, None)
    if (history == 0).mean() > INTERMITTENT_ZEROS:
        methods = {"tsb": tsb, "seasonal_naive": seasonal_naive}
    else:
        methods = CANDIDATES
    test = _backtest(history, season, horizon, methods)
    errors, actuals = test["errors"], test["actuals"]
    scores = {name: _mase(errors[name], actuals) for name in errors}
    chosen = _choice(scores)
    if chosen == "combination":
        values = _combined(
            {name: _fit(methods[name], history, horizon, season) for name in COMBINED}
        )
    else:
        values = _fit(methods[chosen], history, horizon, season)
    spread = float(np.std(np.concatenate(errors[chosen]))) if errors[chosen] else 0.0
    baseline = scores.get("seasonal_naive")
    return _answer(
        chosen, values, spread, scores[chosen], _smape(errors[chosen], actuals), baseline
    )


def _choice(scores: dict[str, float]) -> str:
    """The combination, unless one method beat it in the backtest by a clear margin: picking
    the backtest's winner chases noise, a median of good models rarely does badly."""
    best = min(scores, key=lambda name: scores[name])
    if "combination" not in scores or scores[best] < CLEAR_WIN * scores["combination"]:
        return best
    return "combination"


def _fit(method, history, horizon, season) -> np.ndarray:
    """A method's forecast; one that cannot fit this history falls back to seasonal naive,
    and one that runs away (not finite) too."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            values = np.asarray(method(history, horizon, season), dtype=float)
        except Exception:  # a model that cannot fit this history
            return seasonal_naive(history, horizon, season)
    return values if np.all(np.isfinite(values)) else seasonal_naive(history, horizon, season)


def _answer(method, values, spread, mase, smape, baseline) -> Forecast:
    points = []
    for step, value in enumerate(values, start=1):
        value = max(0.0, float(value))
        width = Z95 * spread * math.sqrt(step)
        points.append((round(value, 4), round(max(0.0, value - width), 4), round(value + width, 4)))
    rounded = [None if x is None else round(x, 4) for x in (mase, smape, baseline)]
    return Forecast(method, points, *rounded)
