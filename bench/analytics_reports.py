"""Benchmark: analytics reports over a year of 1,000,000 order lines.

`make bench` runs it (or `.venv/bin/python bench/analytics_reports.py`). The analytics app in
process on a fresh database (SQLite under var/, or --postgres) holds --orders orders of 4
lines each over a year, with the daily figures the event handlers keep; then the summary (30
days and the year) and sales by month x product for the year are asked --requests times each
(p50/p95/p99). Timing is printed, never asserted; the JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from analytics.reports.domain import month_of, week_of
from analytics.tables import sales_daily, sales_lines, sales_orders
from erp_testing import bearer, create_database, drop_databases, postgres_url, service_app

REPO = Path(__file__).resolve().parent.parent
END = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def seed(engine, orders: int, rng: random.Random) -> None:
    daily = defaultdict(lambda: [0, 0, Decimal(0)])
    batch_orders, batch_lines = [], []
    for _ in range(orders):
        order_id = str(uuid.uuid4())
        at = END - timedelta(days=rng.randrange(365))
        customer, channel = f"c-{rng.randrange(20_000)}", rng.choice(["web", "phone", "store"])
        lines = [
            (f"SKU-{rng.randrange(1000)}", rng.randint(1, 5), Decimal(rng.randint(1, 200)))
            for _ in range(4)
        ]
        revenue = sum(q * p for _, q, p in lines)
        batch_orders.append(
            {
                "order_id": order_id,
                "customer_id": customer,
                "channel": channel,
                "revenue": revenue,
                "total": revenue,
                "currency": "EUR",
                "units": sum(q for _, q, _ in lines),
                "returned_units": 0,
                "status": "confirmed",
                "placed_at": at,
                "status_changed_at": at,
                "aggregated": True,
            }
        )
        seen = set()
        for sku, quantity, price in lines:
            if sku in seen:
                continue
            seen.add(sku)
            batch_lines.append(
                {"order_id": order_id, "sku": sku, "quantity": quantity, "unit_price": price}
            )
            for dimension, key in (("product", sku),):
                cell = daily[(dimension, key, at.date())]
                cell[0] += 1
                cell[1] += quantity
                cell[2] += quantity * price
        for dimension, key in (("customer", customer), ("channel", channel)):
            cell = daily[(dimension, key, at.date())]
            cell[0] += 1
            cell[1] += sum(q for _, q, _ in lines)
            cell[2] += revenue
        if len(batch_orders) == 20_000:
            with engine.begin() as conn:
                conn.execute(insert(sales_orders), batch_orders)
                conn.execute(insert(sales_lines), batch_lines)
            batch_orders, batch_lines = [], []
    rows = [
        {
            "dimension": d,
            "key": k,
            "day": day,
            "week": week_of(day),
            "month": month_of(day),
            "orders": o,
            "units": u,
            "revenue": r,
        }
        for (d, k, day), (o, u, r) in daily.items()
    ]
    with engine.begin() as conn:
        if batch_orders:
            conn.execute(insert(sales_orders), batch_orders)
            conn.execute(insert(sales_lines), batch_lines)
        for start in range(0, len(rows), 50_000):
            conn.execute(insert(sales_daily), rows[start : start + 50_000])


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
    scratch, created = REPO / "var" / f"bench-analytics-{stamp}", []
    if args.postgres:
        created.append(f"erp_bench_{uuid.uuid4().hex[:10]}")
        url = create_database(postgres_url(), created[0])
    else:
        scratch.mkdir(parents=True)
        url = f"sqlite:///{scratch / 'analytics.db'}"
    try:
        app = service_app("analytics", url)
        started = time.perf_counter()
        seed(app.extensions["erp_engine"], args.orders, random.Random(9))
        print(f"seeded {args.orders} orders in {time.perf_counter() - started:.0f}s", flush=True)
        client, year = app.test_client(), (END - timedelta(days=364)).date().isoformat()
        results = {
            "summary_30_days": timed(client, "/api/v1/analytics/summary", args.requests),
            "summary_year": timed(client, f"/api/v1/analytics/summary?from={year}", args.requests),
            "sales_month_by_product_year": timed(
                client,
                f"/api/v1/analytics/sales?from={year}&granularity=month&group_by=product",
                args.requests,
            ),
        }
        app.extensions["erp_engine"].dispose()
    finally:
        if created:
            drop_databases(postgres_url(), created)
        shutil.rmtree(scratch, ignore_errors=True)
    for name, r in results.items():
        print(f"{name + ' p50/p95/p99 ms':<44} {r['p50']} / {r['p95']} / {r['p99']}")
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
