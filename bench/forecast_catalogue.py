"""Benchmark: forecast a catalogue of 5,000 SKUs' monthly history in the background.

`make bench` runs it (or `.venv/bin/python bench/forecast_catalogue.py`). The analytics app
in process on a fresh SQLite database holds --skus SKUs of up to 36 months of sales (trend
and seasonality, intermittent items, new items with a few months); a run is requested over
the API and worked through by the worker's job code on all cores, printing progress; the
time it took is printed beside the goal (2 minutes), never asserted. JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from analytics.domain import month_of, week_of
from analytics.forecast import catalogue
from analytics.tables import sales_daily, sales_rollups
from erp_testing import bearer, months_back, service_app

REPO = Path(__file__).resolve().parent.parent


def history(rng: random.Random, months: list) -> list[int]:
    """One SKU's monthly units: most steady sellers, some intermittent, some new."""
    kind = rng.random()
    if kind < 0.15:  # intermittent: mostly nothing, now and then a few
        return [rng.choice([0, 0, 0, rng.randint(1, 6)]) for _ in months]
    length = len(months) if kind > 0.3 else rng.randint(3, 12)
    level, trend, season = rng.uniform(10, 500), rng.uniform(-0.01, 0.03), rng.uniform(0, 0.4)
    units = [0] * (len(months) - length)
    for n, day in enumerate(months[-length:]):
        wave = 1 + season * math.sin(2 * math.pi * day.month / 12)
        units.append(max(0, round(level * (1 + trend * n) * wave * rng.gauss(1, 0.1))))
    return units


def seed(engine, skus: int, rng: random.Random) -> None:
    months = months_back(36)
    days, rollups = [], []
    for n in range(skus):
        sku = f"SKU-{n:05d}"
        for day, units in zip(months, history(rng, months), strict=True):
            if not units:
                continue
            figures = {"orders": units, "units": units, "revenue": units}
            place = {"dimension": "product", "key": sku, **figures}
            days.append({"day": day, "week": week_of(day), "month": month_of(day), **place})
            rollups.append({"grain": "month", "period": month_of(day), **place})
            rollups.append({"grain": "week", "period": week_of(day), **place})
    with engine.begin() as conn:
        for table, rows in ((sales_daily, days), (sales_rollups, rollups)):
            for start in range(0, len(rows), 50_000):
                conn.execute(insert(table), rows[start : start + 50_000])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=5_000)
    parser.add_argument("--horizon", type=int, default=6)
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"bench-forecast-{stamp}"
    scratch.mkdir(parents=True)
    try:
        app = service_app("analytics", f"sqlite:///{scratch / 'analytics.db'}")
        engine, settings = app.extensions["erp_engine"], app.extensions["erp_settings"]
        seed(engine, args.skus, random.Random(5))
        client = app.test_client()
        run = client.post(
            "/api/v1/analytics/forecast/runs",
            json={"granularity": "month", "horizon": args.horizon},
            headers=bearer(),
        ).json
        began, cpu = time.perf_counter(), os.times()
        while catalogue.step(engine, settings):
            status = client.get(f"/api/v1/analytics/forecast/runs/{run['id']}", headers=bearer())
            print(f"  {status.json['done']:>6} / {status.json['total']} SKUs", flush=True)
        seconds = time.perf_counter() - began
        catalogue.close_pool()  # its processes' CPU time counts once they have ended
        spent = os.times()
        finished = client.get(f"/api/v1/analytics/forecast/runs/{run['id']}", headers=bearer())
        methods: dict[str, int] = {}
        page, pages = 1, math.ceil(args.skus / 200)
        while page <= pages:
            items = client.get(
                f"/api/v1/analytics/forecast/runs/{run['id']}/items?per_page=200&page={page}",
                headers=bearer(),
            ).json["items"]
            for item in items:
                methods[item["method"]] = methods.get(item["method"], 0) + 1
            page += 1
        engine.dispose()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    cores_used = (
        spent.user
        + spent.children_user
        + spent.system
        + spent.children_system
        - cpu.user
        - cpu.children_user
        - cpu.system
        - cpu.children_system
    ) / seconds
    result = {
        "skus": args.skus,
        "seconds": round(seconds, 1),
        "goal_seconds": 120,
        "status": finished.json["status"],
        "cores_busy": round(cores_used, 2),
        "methods": methods,
    }
    print(
        f"{args.skus} SKUs forecast in {seconds:.1f} s (goal 120 s), status "
        f"{result['status']}, {result['cores_busy']} cores busy; methods {methods}"
    )
    output = REPO / "bench" / "results" / f"forecast_catalogue-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"at": stamp, **vars(args), **result}, indent=2) + "\n")
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
