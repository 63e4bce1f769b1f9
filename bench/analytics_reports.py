"""Benchmark: analytics reports over a year of 1,000,000 order lines.

`make bench` runs it (or `.venv/bin/python bench/analytics_reports.py`). The analytics app in
process on a fresh database (SQLite under var/, or --postgres) holds --orders orders of 4
lines each over a year, with the daily figures and rollups the event handlers keep; then the
summary (30 days and the year) and sales by month x product for the year are asked
--requests times each (p50/p95/p99). Then the event handlers' pace on that database: orders
(placed, confirmed, issued) applied per second alone, and again while the reports are asked.
Timing is printed, never asserted; the JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import random
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import insert

from analytics.domain import month_of, week_of
from analytics.handlers import HANDLERS
from analytics.sales_replica.domain import order_shares
from analytics.tables import sales_daily, sales_lines, sales_orders, sales_rollups
from erp_shared.bus import Consumer
from erp_shared.events import new_event, parse_event
from erp_testing import bearer, scratch_database, service_app

REPO = Path(__file__).resolve().parent.parent
END = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def generated_order(rng: random.Random) -> dict:
    """An order of 4 lines from a year back, as order.placed carries it."""
    skus = rng.sample(range(1000), 4)
    lines = [
        {
            "sku": f"SKU-{n}",
            "quantity": rng.randint(1, 5),
            "unit_price": Decimal(rng.randint(1, 200)),
        }
        for n in skus
    ]
    return {
        "order_id": str(uuid.uuid4()),
        "customer_id": f"c-{rng.randrange(20_000)}",
        "channel": rng.choice(["web", "phone", "store"]),
        "lines": lines,
        "placed_at": END - timedelta(days=rng.randrange(365)),
    }


def seed(engine, orders: int, rng: random.Random) -> None:
    """Write the replica and its figures directly, shared out by the handlers' own rule
    (order_shares), so a million lines load in a minute instead of an hour of events."""
    daily = defaultdict(lambda: defaultdict(int))
    batch_orders, batch_lines = [], []
    for n in range(orders):
        order = generated_order(rng)
        revenue = sum(line["quantity"] * line["unit_price"] for line in order["lines"])
        at = order["placed_at"]
        batch_orders.append(
            {
                "order_id": order["order_id"],
                "customer_id": order["customer_id"],
                "channel": order["channel"],
                "revenue": revenue,
                "total": revenue,
                "currency": "EUR",
                "units": sum(line["quantity"] for line in order["lines"]),
                "status": "confirmed",
                "placed_at": at,
                "status_changed_at": at,
                "aggregated": True,
            }
        )
        batch_lines += [{"order_id": order["order_id"], **line} for line in order["lines"]]
        lines = [SimpleNamespace(**line) for line in order["lines"]]
        for dimension, key, figures in order_shares(
            SimpleNamespace(**order, replacement=False), lines, [], 1
        ):
            cell = daily[(dimension, key, at.date())]
            for name, value in figures.items():
                cell[name] += value
        if len(batch_orders) == 20_000 or n == orders - 1:
            with engine.begin() as conn:
                conn.execute(insert(sales_orders), batch_orders)
                conn.execute(insert(sales_lines), batch_lines)
            batch_orders, batch_lines = [], []
    days, rollups = [], defaultdict(lambda: defaultdict(int))
    for (dimension, key, day), figures in daily.items():
        days.append(
            {"dimension": dimension, "key": key, "day": day, "week": week_of(day)}
            | {"month": month_of(day), **figures}
        )
        for grain, period in (("week", week_of(day)), ("month", month_of(day))):
            for name, value in figures.items():
                rollups[(grain, dimension, key, period)][name] += value
    periods = [
        {"grain": g, "dimension": d, "key": k, "period": p, **figures}
        for (g, d, k, p), figures in rollups.items()
    ]
    with engine.begin() as conn:
        for table, rows in ((sales_daily, days), (sales_rollups, periods)):
            for start in range(0, len(rows), 50_000):
                conn.execute(insert(table), rows[start : start + 50_000])


def order_events(order: dict) -> list:
    """What the orders and inventory services say of one order that ships."""
    placed = {
        **order,
        "number": order["order_id"][:8],
        "subtotal": "0",
        "total": "0",
        "currency": "EUR",
        "lines": [{**line, "unit_price": str(line["unit_price"])} for line in order["lines"]],
    }
    del placed["placed_at"]
    at, issued = order["placed_at"], [{**line, "cost": "1.00"} for line in order["lines"]]
    return [
        parse_event(new_event(kind, data, producer=producer, occurred_at=at))
        for kind, data, producer in (
            ("order.placed", placed, "orders"),
            ("order.confirmed", {"order_id": order["order_id"]}, "orders"),
            ("stock.issued", {"order_id": order["order_id"], "lines": issued}, "inventory"),
        )
    ]


def stream(url: str, orders: int, seed: int, ready=None, stop=None, pace=None) -> float:
    """Apply orders' events through the analytics consumer in lots of 150, as the worker
    process does; the orders per second it kept up with (also put in `pace`)."""
    app = service_app("analytics", url)
    consumer = Consumer(app.extensions["erp_engine"], app.extensions["erp_settings"], HANDLERS)
    rng = random.Random(seed)
    events = [event for _ in range(orders) for event in order_events(generated_order(rng))]
    if ready is not None:
        ready.set()
    started, applied = time.perf_counter(), 0
    for start in range(0, len(events), 150):
        consumer.apply(events[start : start + 150])
        applied += len(events[start : start + 150])
        if stop is not None and stop.is_set():
            break
    rate = applied / 3 / (time.perf_counter() - started)
    if pace is not None:
        pace.value = rate
    return rate


def timed(client, path: str, requests: int) -> dict:
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        answer = client.get(path, headers=bearer())
        times.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} -> {answer.status_code}")
    ordered = sorted(times)
    return {
        k: round(ordered[math.ceil(p / 100 * len(ordered)) - 1], 2)
        for k, p in (("p50", 50), ("p95", 95), ("p99", 99))
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=250_000, help="4 lines each")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"bench-analytics-{stamp}"
    with scratch_database(scratch, "analytics", args.postgres) as url:
        app = service_app("analytics", url)
        started = time.perf_counter()
        seed(app.extensions["erp_engine"], args.orders, random.Random(9))
        print(f"seeded {args.orders} orders in {time.perf_counter() - started:.0f}s", flush=True)
        client, year = app.test_client(), (END - timedelta(days=364)).date().isoformat()
        reports = {
            "summary_30_days": "/api/v1/analytics/summary",
            "summary_year": f"/api/v1/analytics/summary?from={year}",
            "sales_month_by_product_year": (
                f"/api/v1/analytics/sales?from={year}&granularity=month&group_by=product"
            ),
        }
        results = {name: timed(client, path, args.requests) for name, path in reports.items()}
        results["events_alone_orders_per_s"] = round(stream(url, 2_000, 3), 1)
        # The worker is its own process beside the web one, as deployed.
        spawn = multiprocessing.get_context("spawn")
        ready, stop, pace = spawn.Event(), spawn.Event(), spawn.Value("d", 0.0)
        worker = spawn.Process(target=stream, args=(url, 20_000, 4, ready, stop, pace))
        worker.start()
        ready.wait()
        for name, path in reports.items():
            results[f"{name}_during_events"] = timed(client, path, args.requests)
        stop.set()
        worker.join()
        results["events_during_reports_orders_per_s"] = round(pace.value, 1)
        app.extensions["erp_engine"].dispose()
    for name, r in results.items():
        if isinstance(r, dict):
            print(f"{name + ' p50/p95/p99 ms':<58} {r['p50']} / {r['p95']} / {r['p99']}")
        else:
            print(f"{name:<58} {r}")
    output = REPO / "bench" / "results" / f"analytics_reports-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    backend = "postgresql" if args.postgres else "sqlite"
    output.write_text(
        json.dumps({"at": stamp, "backend": backend, **vars(args), **results}, indent=2) + "\n"
    )
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
