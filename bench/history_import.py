"""Benchmark: a company's past orders, 1,000,000 lines, imported into analytics as CSV.

`make bench` runs it (or `.venv/bin/python bench/history_import.py`). The analytics app runs
in process on a fresh SQLite database under var/ (or --postgres); --lines order lines of three
years (orders of 1-4 SKUs, 50,000 buyers named by e-mail or an old system's reference, 2,000
SKUs, 3 channels) are posted as CSV batches of 100,000 lines (the most one batch takes) to
`POST /api/v1/analytics/history`, one after the other, as a migration script would. Printed:
the whole import's time and lines per second (goal: 1,000,000 lines in under 2 minutes on
SQLite), the slowest batch, and then how long RFM and repeat purchases take over what was
imported. The CSV is made before the clock starts. Timing is printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from erp_testing import bearer, scratch_database, service_app

REPO = Path(__file__).resolve().parent.parent
BATCH = 100_000
HEADER = "date,sku,quantity,revenue,order_ref,customer_ref,channel"


def batches(lines: int, rng: random.Random) -> list[str]:
    """CSV bodies of BATCH lines each; an order's lines stay in one batch."""
    today = datetime.now(UTC).date()
    bodies, rows, number = [], [], 0
    while number < lines:
        day = (today - timedelta(days=rng.randrange(3 * 365))).isoformat()
        buyer = rng.randrange(50_000)
        customer = f"buyer{buyer}@old-shop.example" if buyer % 2 else f"OLD-C{buyer}"
        channel = rng.choice(("web", "shop", "phone"))
        skus = rng.sample(range(2_000), min(rng.randint(1, 4), lines - number))
        if len(rows) + len(skus) > BATCH:
            bodies.append("\n".join([HEADER, *rows]))
            rows = []
        for sku in skus:
            quantity = rng.randint(1, 5)
            rows.append(
                f"{day},SKU-{sku},{quantity},{quantity * rng.randint(100, 9_900) / 100:.2f},"
                f"SO-{number},{customer},{channel}"
            )
        number += len(skus)
    bodies.append("\n".join([HEADER, *rows]))
    return bodies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    bodies = batches(args.lines, random.Random(5))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"bench-history-{stamp}"
    with scratch_database(scratch, "analytics", args.postgres) as url:
        app = service_app("analytics", url)
        client, took = app.test_client(), []
        started = time.perf_counter()
        for n, body in enumerate(bodies, start=1):
            batch_started = time.perf_counter()
            answer = client.post(
                f"/api/v1/analytics/history?batch_id=past-{n}",
                data=body.encode(),
                headers={**bearer(), "Content-Type": "text/csv"},
            )
            if answer.status_code != 200:
                raise SystemExit(f"batch {n}: {answer.status_code} {answer.json}")
            took.append(time.perf_counter() - batch_started)
        whole = time.perf_counter() - started
        reads = {}
        for name, path in (
            ("rfm", "/api/v1/analytics/customers/rfm"),
            ("repeat purchases", "/api/v1/analytics/customers/repeat-purchases"),
        ):
            read_started = time.perf_counter()
            assert client.get(path, headers=bearer()).status_code == 200
            reads[name] = time.perf_counter() - read_started
        app.extensions["erp_engine"].dispose()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"history import ({backend}): {args.lines:,} lines in {len(bodies)} batches took "
        f"{whole:.1f} s, {args.lines / whole:,.0f} lines/s (goal: 1,000,000 lines under 120 s "
        f"on SQLite); slowest batch {max(took):.1f} s"
    )
    print("then, over what was imported: " + ", ".join(f"{k} {v:.1f} s" for k, v in reads.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
