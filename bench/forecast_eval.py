"""Forecast accuracy as a product figure: held-out backtests of the analytics service,
through its HTTP API, on real public sales series and generated ones.

`make forecast-eval` runs it (it installs the packages the real series ship in: pmdarima's
Australian wine sales and air passengers, sktime's shampoo sales). For
each series and each of the last three origins, the history up to the origin is loaded over
`POST /api/v1/analytics/history`, the next `h` months are asked of
`GET /api/v1/analytics/forecast`, and the answer is scored against the held-back months:
MASE (mean absolute error over the in-sample seasonal-naive error), beside the seasonal
naive's own MASE on the same points. Prints each series' ratio and their geometric mean
(goal: at most 0.60, and below 1 on every real series) and writes the table into
docs/forecasting.md. Nothing is asserted.
"""

from __future__ import annotations

import math
import random
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from erp_testing import bearer, months_back, service_app

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "forecasting.md"
START, END = "<!-- forecast-eval:start -->", "<!-- forecast-eval:end -->"
ORIGINS = 3
SEASON = 12


def real_series() -> dict[str, tuple[str, np.ndarray]]:
    try:
        from pmdarima.datasets import load_airpassengers, load_wineind
        from sktime.datasets import load_shampoo_sales
    except ImportError as missing:
        sys.exit(f"forecast-eval needs {missing.name}: run `make forecast-eval`, which installs it")
    return {
        "Australian wine sales": ("pmdarima wineind, 1980-94", np.asarray(load_wineind())),
        "Air passengers": ("pmdarima airpassengers, 1949-60", np.asarray(load_airpassengers())),
        "Shampoo sales": ("sktime shampoo_sales, 3 years", load_shampoo_sales().to_numpy()),
    }


def generated_series() -> dict[str, tuple[str, np.ndarray]]:
    rng = np.random.default_rng(11)
    t = np.arange(72)
    wave = np.sin(2 * np.pi * t / SEASON)
    return {
        "Growing, seasonal": (
            "trend x season x noise",
            (200 + 3 * t) * (1 + 0.3 * wave) * rng.normal(1, 0.05, 72),
        ),
        "Declining, seasonal": (
            "an item on its way out",
            (600 - 5 * t) * (1 + 0.25 * wave) * rng.normal(1, 0.06, 72),
        ),
        "Steady, seasonal": ("level + season + noise", 500 + 80 * wave + rng.normal(0, 25, 72)),
        "Level shift": (
            "season, then a step up",
            np.where(t < 48, 300, 450) + 40 * wave + rng.normal(0, 15, 72),
        ),
    }


def mase(forecast: np.ndarray, actual: np.ndarray, train: np.ndarray) -> float:
    scale = np.mean(np.abs(train[SEASON:] - train[:-SEASON]))
    return float(np.mean(np.abs(forecast - actual)) / scale)


def seasonal_naive(train: np.ndarray, horizon: int) -> np.ndarray:
    return np.array([train[-SEASON + (h % SEASON)] for h in range(horizon)])


def backtest(client, name: str, values: np.ndarray) -> dict:
    """MASE of the service and of seasonal naive over the last ORIGINS origins."""
    scale = 10 ** max(0, 4 - int(math.log10(max(values.max(), 1))))  # whole units, 4+ digits
    units = np.round(values * scale)
    horizon = SEASON if len(units) >= 5 * SEASON else 6
    ours, naive, methods = [], [], []
    for k in range(ORIGINS, 0, -1):
        origin = len(units) - k * horizon
        train, actual = units[:origin], units[origin : origin + horizon]
        sku = f"{name[:40]}-{k}".replace(" ", "-").replace(",", "")
        lines = [
            {"date": day.isoformat(), "sku": sku, "quantity": int(q)}
            for day, q in zip(months_back(len(train)), train, strict=True)
        ]
        loaded = client.post(
            "/api/v1/analytics/history", json={"batch_id": sku, "lines": lines}, headers=bearer()
        )
        assert loaded.status_code == 200, loaded.json
        answer = client.get(
            f"/api/v1/analytics/forecast?sku={sku}&granularity=month&horizon={horizon}",
            headers=bearer(),
        ).json
        forecast = np.array([point["forecast"] for point in answer["points"]])
        ours.append(mase(forecast, actual, train))
        naive.append(mase(seasonal_naive(train, horizon), actual, train))
        methods.append(answer["method"])
    return {
        "points": len(units),
        "horizon": horizon,
        "mase": float(np.mean(ours)),
        "naive_mase": float(np.mean(naive)),
        "methods": methods,
    }


def table(results: dict, geomean: float) -> str:
    header = ("Series", "Source", "Points", "Horizon", "MASE", "Seasonal naive MASE", "Ratio")
    rows = [
        f"| {' | '.join(header)} | Methods chosen |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, r in results.items():
        rows.append(
            f"| {name} | {r['source']} | {r['points']} | {r['horizon']} | {r['mase']:.3f} | "
            f"{r['naive_mase']:.3f} | {r['ratio']:.3f} | {', '.join(r['methods'])} |"
        )
    rows.append(f"\nGeometric mean of the ratios: **{geomean:.3f}** (goal at most 0.60).")
    return "\n".join(rows)


def main() -> int:
    series = {**real_series(), **generated_series()}
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"forecast-eval-{stamp}"
    scratch.mkdir(parents=True)
    try:
        client = service_app("analytics", f"sqlite:///{scratch / 'analytics.db'}").test_client()
        results = {}
        for name, (source, values) in series.items():
            results[name] = {"source": source, **backtest(client, name, values)}
            results[name]["ratio"] = results[name]["mase"] / results[name]["naive_mase"]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    geomean = math.exp(np.mean([math.log(r["ratio"]) for r in results.values()]))
    for name, r in results.items():
        print(
            f"{name:<24} MASE {r['mase']:.3f}  seasonal naive {r['naive_mase']:.3f}  "
            f"ratio {r['ratio']:.3f}  ({', '.join(r['methods'])})"
        )
    real = [r["ratio"] for name, r in results.items() if name in real_series()]
    print(
        f"geometric mean of ratios {geomean:.3f} (goal <= 0.60); real series all below 1: "
        f"{all(ratio < 1 for ratio in real)}"
    )
    text = DOC.read_text()
    before, after = text.split(START)[0], text.split(END)[1]
    DOC.write_text(f"{before}{START}\n{table(results, geomean)}\n{END}{after}")
    print(f"table written to {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    random.seed(0)
    sys.exit(main())
