"""Benchmark: inventory's use cases in process, on a database the size of a busy year.

`make bench` runs it after place_orders.py (or `.venv/bin/python bench/stock_ledger.py`). On a
freshly migrated inventory database (SQLite under var/, or --postgres) it seeds --skus
products and a ledger of --movements movements spread over a year (with the daily value
summary the service keeps beside it), then measures:

1. reservation decisions per second: 3-line orders over the SKUs, each `reserve_stock` in its
   own unit of work as the worker runs it (one process, no broker: the use case's own cost);
2. `GET /api/v1/stock/{sku}` through the service's Flask app, random SKUs (p50/p95/p99);
3. `GET /api/v1/inventory/turnover` for the whole year (p50/p95/p99).

Timing is printed, never asserted; the JSON goes to bench/results/.
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
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from erp_shared.uow import UnitOfWork
from erp_testing import bearer, create_database, drop_databases, postgres_url, service_app
from inventory import tables
from inventory.reservations.service import reserve_stock

REPO = Path(__file__).resolve().parent.parent
YEAR_START = datetime(2025, 12, 1, tzinfo=UTC)


def percentiles(times_ms: list[float]) -> dict:
    ordered = sorted(times_ms)
    pick = {"p50": 50, "p95": 95, "p99": 99}
    return {k: round(ordered[math.ceil(p / 100 * len(ordered)) - 1], 2) for k, p in pick.items()}


def seed(engine, skus: int, movements: int) -> list[str]:
    """Products, a lot and a stock level each, and `movements` ledger rows over a year."""
    names = [f"B{n:05d}" for n in range(skus)]
    now = datetime.now(UTC)
    per_sku = movements // skus
    with engine.begin() as conn:
        conn.execute(
            insert(tables.products),
            [
                {
                    "sku": s,
                    "name": s,
                    "unit_price": Decimal("10"),
                    "currency": "EUR",
                    "reorder_point": 5,
                    "reorder_quantity": 50,
                    "lead_time_days": 7,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for s in names
            ],
        )
        conn.execute(
            insert(tables.stock_levels),
            [{"sku": s, "warehouse": "MAIN", "on_hand": 10**7, "reserved": 0} for s in names],
        )
        conn.execute(
            insert(tables.lots),
            [
                {
                    "lot": f"L-{s}",
                    "receipt_id": None,
                    "sku": s,
                    "warehouse": "MAIN",
                    "received_at": YEAR_START,
                    "quantity_received": 10**7,
                    "quantity_remaining": 10**7,
                    "unit_cost": Decimal("4"),
                }
                for s in names
            ],
        )
    days: dict[tuple[str, object], list] = {}
    batch = []
    for n in range(per_sku * skus):
        sku = names[n % skus]
        at = YEAR_START + timedelta(minutes=(n * 7919) % (365 * 24 * 60))
        issue = n % 3 != 0
        quantity = -2 if issue else 6
        value = Decimal(quantity * 4)
        batch.append(
            {
                "sku": sku,
                "warehouse": "MAIN",
                "kind": "issue" if issue else "receipt",
                "quantity": quantity,
                "unit_cost": Decimal("4"),
                "value": value,
                "occurred_at": at,
            }
        )
        day = days.setdefault((sku, at.date()), [Decimal(0), Decimal(0), 0])
        day[0] += value
        if issue:
            day[1] += -value
            day[2] += -quantity
        if len(batch) == 50_000:
            with engine.begin() as conn:
                conn.execute(insert(tables.movements), batch)
            batch = []
    with engine.begin() as conn:
        if batch:
            conn.execute(insert(tables.movements), batch)
        conn.execute(insert(tables.stock_days), running_totals(days))
    return names


def running_totals(days: dict) -> list[dict]:
    """The daily rows with the running totals the service keeps beside them."""
    rows, totals = [], {}
    for (sku, day), (value, cogs, units) in sorted(days.items()):
        value_to_date, cogs_to_date = totals.get(sku, (Decimal(0), Decimal(0)))
        totals[sku] = (value_to_date + value, cogs_to_date + cogs)
        rows.append(
            {
                "sku": sku,
                "day": day,
                "value_change": value,
                "cogs": cogs,
                "units_issued": units,
                "value_to_date": totals[sku][0],
                "cogs_to_date": totals[sku][1],
            }
        )
    return rows


def reservation_rate(engine, skus: list[str], orders: int) -> dict:
    rng = random.Random(7)
    started = time.perf_counter()
    for _ in range(orders):
        lines = [{"sku": sku, "quantity": 1} for sku in rng.sample(skus, 3)]
        with UnitOfWork(engine, "inventory", actor="bench") as uow:
            reserve_stock(uow, str(uuid.uuid4()), lines)
    elapsed = time.perf_counter() - started
    return {
        "orders": orders,
        "seconds": round(elapsed, 2),
        "per_second": round(orders / elapsed, 1),
    }


def timed_gets(client, paths: list[str]) -> dict:
    times = []
    for path in paths:
        started = time.perf_counter()
        answer = client.get(path, headers=bearer())
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path} -> {answer.status_code}: {answer.text[:200]}")
    return {"requests": len(paths), **percentiles(times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=2000, help="3-line orders to reserve")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    created = []
    if args.postgres:
        created.append(f"erp_bench_{uuid.uuid4().hex[:10]}")
        url = create_database(postgres_url(), created[0])
    else:
        path = REPO / "var" / f"bench-inventory-{stamp}" / "inventory.db"
        path.parent.mkdir(parents=True)
        url = f"sqlite:///{path}"
    try:
        app = service_app("inventory", url)
        engine = app.extensions["erp_engine"]
        started = time.perf_counter()
        skus = seed(engine, args.skus, args.movements)
        print(
            f"seeded {args.skus} SKUs, {args.movements} movements in "
            f"{time.perf_counter() - started:.0f}s",
            flush=True,
        )
        client = app.test_client()
        rng = random.Random(11)
        results = {
            "reservations_3_lines": reservation_rate(engine, skus, args.orders),
            "stock_read": timed_gets(
                client, [f"/api/v1/stock/{rng.choice(skus)}" for _ in range(500)]
            ),
            "turnover_year": timed_gets(
                client, ["/api/v1/inventory/turnover?from=2025-12-01&to=2026-11-30"] * 40
            ),
        }
        engine.dispose()
    finally:
        if created:
            drop_databases(postgres_url(), created)
        else:
            shutil.rmtree(path.parent, ignore_errors=True)
    backend = "postgresql" if args.postgres else "sqlite"
    rate = results["reservations_3_lines"]["per_second"]
    print(f"{'reservation decisions (3 lines) /s':<40} {rate}")
    for name in ("stock_read", "turnover_year"):
        r = results[name]
        print(f"{name + ' p50 / p95 / p99 ms':<40} {r['p50']} / {r['p95']} / {r['p99']}")
    output = REPO / "bench" / "results" / f"stock_ledger-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps({"at": stamp, "backend": backend, "parameters": vars(args), **results}, indent=2)
        + "\n"
    )
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
