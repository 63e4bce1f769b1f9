"""Demand forecasts with their measured accuracy, free of Flask and SQL.

Each series gets the method that forecast its own past best. Models: ETS with a damped
additive trend and additive seasonality, Theta and a seasonal ARIMA (statsmodels), and the
median of the three, a combination the M3/M4 competitions found hard to beat; seasonal naive
is the yardstick and the fallback.

Where a positive series' seasonal swing grows with its level (sales that double swing twice
as far), an additive model misreads the swing: each model is then also fitted on the log of
the series, which makes the swing steady, and its forecast is transformed back. (A Box-Cox
transform with lambda by maximum likelihood was tried beside the log: on the evaluation's
series it chose no better and cost a third more fits.) Which scale, which model and whether the
combination are all chosen by a rolling-origin backtest: from each of the last few origins,
every candidate forecasts the next points from what came before and is scored with MASE
(errors over the in-sample seasonal-naive error). The combination on its best scale is kept
unless one candidate beat it clearly; and when no candidate beat seasonal naive, the answer
is seasonal naive. Every answer carries the chosen method's backtest MASE and sMAPE and the
seasonal naive's MASE on the same origins.

The 95% interval is empirical and made on the chosen scale: +-1.96 times the standard
deviation of the backtest errors there, widened with the square root of the step ahead, then
transformed back, so a log forecast's interval is wider above than below and never below
zero. Short histories (up to MIN_POINTS) get the mean of their last points;
intermittent demand (mostly zeros) gets TSB, which forecasts how often and how much
separately.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SEASONS = {"day": 7, "week": 52, "month": 12}
MIN_POINTS = 6
ORIGINS = 3
INTERMITTENT_ZEROS = 0.5
Z95 = 1.959964
# A combination is replaced by a single candidate only if that one's backtest MASE is below
# this share of the combination's: picking the backtest's winner chases noise.
CLEAR_WIN = 0.75
# How the swing must grow with the level to call for a transform: the slope of log swing on
# log level across seasons, 0 for a steady swing, 1 for one proportional to the level.
SWING_GROWTH = 0.5

Method = Callable[[np.ndarray, int, int], np.ndarray]


@dataclass(frozen=True)
class Forecast:
    method: str
    points: list[tuple[float, float, float]]  # forecast, lower, upper
    mase: float | None
    smape: float | None
    baseline_mase: float | None


@dataclass(frozen=True)
class Scale:
    """The scale a model is fitted on: the series itself, or its log."""

    name: str
    logged: bool = False

    def to(self, values: np.ndarray) -> np.ndarray:
        return np.log(values) if self.logged else values

    def back(self, values: np.ndarray) -> np.ndarray:
        return np.exp(values) if self.logged else values


RAW, LOG = Scale(""), Scale("log", logged=True)


def seasonal_naive(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    m = season if len(history) >= season else 1
    last = history[-m:]
    return np.array([last[h % m] for h in range(horizon)], dtype=float)


def ets(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """Damped additive trend, additive season. Starting states from Hyndman's heuristic, no
    brute-force start grid and a least-squares fit of the smoothing weights: a tenth of the
    cost of estimating it all by likelihood, which is what lets a whole catalogue be
    forecast."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = len(history) >= 2 * season + 1
    model = ExponentialSmoothing(
        history,
        trend="add",
        damped_trend=True,
        seasonal="add" if seasonal else None,
        seasonal_periods=season if seasonal else None,
        initialization_method="heuristic" if seasonal else "estimated",
    )
    fitted = model.fit(use_brute=False, method="least_squares")
    return np.asarray(fitted.forecast(horizon), dtype=float)


def theta(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """Additive deseasonalising: on a transformed scale the season is additive already, and
    a transformed series may be negative."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    deseasonalize = len(history) >= 2 * season
    model = ThetaModel(history, period=season, deseasonalize=deseasonalize, method="additive")
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


# The models each scale fits; the combination is their mean.
MODELS: dict[str, Method] = {"ets": ets, "theta": theta, "arima": arima}


def swing_grows_with_level(history: np.ndarray, season: int) -> bool:
    """Whether, across the whole seasons of the history, the seasonal swing (the spread
    within a season) grows with the level (the season's mean): a slope of at least
    SWING_GROWTH of log swing on log level. Needs two whole seasons and a positive series."""
    cycles = len(history) // season
    if cycles < 2 or np.min(history) <= 0:
        return False
    seasons = history[len(history) - cycles * season :].reshape(cycles, season)
    level, swing = np.log(seasons.mean(axis=1)), np.log(seasons.std(axis=1) + 1e-9)
    spread = np.var(level)
    if spread <= 0:
        return False
    return float(np.cov(level, swing, bias=True)[0, 1] / spread) >= SWING_GROWTH


def scales(history: np.ndarray, season: int) -> list[Scale]:
    """The scales worth a backtest: the series itself, and for a growing swing its log."""
    return [RAW, LOG] if swing_grows_with_level(history, season) else [RAW]


def candidate_name(model: str, scale: Scale) -> str:
    return f"{model}_{scale.name}" if scale.name else model


def on_scale(method: Method, scale: Scale) -> Method:
    """The method fitted on the scale, its forecast back on the series' own."""
    if scale is RAW:
        return method
    return lambda history, horizon, season: scale.back(method(scale.to(history), horizon, season))


def candidates(tried: list[Scale]) -> dict[str, tuple[Method, Scale]]:
    """Seasonal naive, and each model on each scale tried."""
    found = {"seasonal_naive": (seasonal_naive, RAW)}
    for scale in tried:
        for name, method in MODELS.items():
            found[candidate_name(name, scale)] = (on_scale(method, scale), scale)
    return found


def _combinations(forecasts: dict, scales_tried: list[Scale]) -> dict[str, np.ndarray]:
    """Per scale, the median of its models' forecasts: one model gone astray does not
    carry the combination with it."""
    return {
        candidate_name("combination", scale): np.median(
            [forecasts[candidate_name(model, scale)] for model in MODELS], axis=0
        )
        for scale in scales_tried
    }


def _scale(history: np.ndarray, season: int) -> float:
    """The in-sample seasonal-naive error MASE divides by (the naive one for short series)."""
    m = season if len(history) > season else 1
    diffs = np.abs(history[m:] - history[:-m])
    return float(diffs.mean()) if len(diffs) and diffs.mean() > 0 else 1.0


def _origins(length: int, season: int, horizon: int) -> tuple[list[int], int]:
    """The last ORIGINS origins of the backtest and how far apart they are: a horizon apart
    where the history allows, closer where it is short, and each leaving two seasons before
    it when the history has them, so the backtest judges the seasonal models that the whole
    history will fit, not the season-less ones a short window falls back to."""
    least = 2 * season + 1 if length - 2 * season - 1 >= ORIGINS else MIN_POINTS
    step = max(1, min(horizon, (length - least) // ORIGINS))
    return [length - k * step for k in range(ORIGINS, 0, -1) if length - k * step >= least], step


def _backtest(history: np.ndarray, season: int, horizon: int, methods: dict, combine) -> dict:
    """Forecasts of each method, and of the combinations, from the last ORIGINS origins, up
    to `horizon` steps each, beside the actuals. Nothing here looks at an origin's actuals
    before forecasting."""
    forecasts = {name: [] for name in methods}
    actuals = []
    origins, _ = _origins(len(history), season, horizon)
    for origin in origins:
        train = history[:origin]
        actual = history[origin : origin + horizon]
        made = {name: _fit(method, train, len(actual), season) for name, method in methods.items()}
        made.update(combine(made))
        actuals.append((actual, _scale(train, season)))
        for name, values in made.items():
            forecasts.setdefault(name, []).append(values)
    return {"forecasts": forecasts, "actuals": actuals}


def _mase(forecasts, actuals) -> float:
    return float(
        np.mean(
            [np.abs(f - a).mean() / scale for f, (a, scale) in zip(forecasts, actuals, strict=True)]
        )
    )


def _smape(forecasts, actuals) -> float:
    ratios = []
    for forecast, (actual, _) in zip(forecasts, actuals, strict=True):
        error, denominator = forecast - actual, np.abs(actual) + np.abs(forecast)
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
        return _answer("recent_mean", np.full(horizon, level), spread, RAW, None, None, None)
    if (history == 0).mean() > INTERMITTENT_ZEROS:
        found = {"tsb": (tsb, RAW), "seasonal_naive": (seasonal_naive, RAW)}
        tried: list[Scale] = []
    else:
        tried = scales(history, season)
        found = candidates(tried)
    methods = {name: method for name, (method, _) in found.items()}
    test = _backtest(history, season, horizon, methods, lambda made: _combinations(made, tried))
    made, actuals = test["forecasts"], test["actuals"]
    scores = {name: _mase(made[name], actuals) for name in made}
    chosen = choice(scores)
    scale = _scale_of(chosen, found, tried)
    values = _final(chosen, found, tried, history, horizon, season)
    spread = _spread(made[chosen], actuals, scale)
    return _answer(
        chosen,
        values,
        spread,
        scale,
        scores[chosen],
        _smape(made[chosen], actuals),
        scores.get("seasonal_naive"),
    )


def choice(scores: dict[str, float]) -> str:
    """The best scale's combination, unless one candidate beat it in the backtest by a clear
    margin (a median of good models rarely does badly, picking the winner chases noise); and
    seasonal naive when nothing beat it, since a forecast worse than last season's figures
    is worse than none."""
    best = min(scores, key=lambda name: scores[name])
    combined = [name for name in scores if name.startswith("combination")]
    chosen = best
    if combined:
        combination = min(combined, key=lambda name: scores[name])
        if scores[best] >= CLEAR_WIN * scores[combination]:
            chosen = combination
    naive = scores.get("seasonal_naive")
    if naive is not None and scores[chosen] >= naive:
        return best
    return chosen


def _scale_of(chosen: str, found: dict, tried: list[Scale]) -> Scale:
    if chosen in found:
        return found[chosen][1]
    return next(s for s in tried if candidate_name("combination", s) == chosen)


def _final(chosen, found, tried, history, horizon, season) -> np.ndarray:
    """The chosen method's forecast from the whole history."""
    if chosen in found:
        return _fit(found[chosen][0], history, horizon, season)
    scale = _scale_of(chosen, found, tried)
    made = {
        candidate_name(model, scale): _fit(
            found[candidate_name(model, scale)][0], history, horizon, season
        )
        for model in MODELS
    }
    return _combinations(made, [scale])[chosen]


def _spread(forecasts, actuals, scale: Scale) -> float:
    """The standard deviation of the backtest errors on the scale the interval is made on
    (errors of a log forecast are ratios, which a growing series keeps steady)."""
    if not forecasts:
        return 0.0
    errors = [
        scale.to(np.maximum(f, 1e-9)) - scale.to(np.maximum(a, 1e-9)) if scale.logged else f - a
        for f, (a, _) in zip(forecasts, actuals, strict=True)
    ]
    return float(np.std(np.concatenate(errors)))


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


def _answer(method, values, spread, scale: Scale, mase, smape, baseline) -> Forecast:
    """Points with their interval, made on the scale and transformed back, never below
    zero."""
    points = []
    for step, value in enumerate(values, start=1):
        value = max(0.0, float(value))
        width = Z95 * spread * math.sqrt(step)
        if not scale.logged:
            lower, upper = value - width, value + width
        else:
            centre = float(scale.to(np.array([max(value, 1e-9)]))[0])
            lower, upper = (
                float(x) for x in scale.back(np.array([centre - width, centre + width]))
            )
        points.append((round(value, 4), round(max(0.0, lower), 4), round(upper, 4)))
    rounded = [None if x is None else round(x, 4) for x in (mase, smape, baseline)]
    return Forecast(method, points, *rounded)
