"""Benchmark: how long a channel's CSV of 10,000 order lines takes to import.

`make bench` runs it (or `.venv/bin/python bench/order_import.py`). The orders service's Flask
app in process on a fresh database (SQLite under var/, or --postgres) learns of a customer and
--skus products from events, then imports a --lines line CSV (two lines per order) through
`POST /api/v1/orders/import`, as a client would, and once more to time a re-sent file (all
duplicates). Timing is printed, never asserted; the JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from erp_testing import bearer, deliver, scratch_database, service_app

REPO = Path(__file__).resolve().parent.parent


def csv_of(lines: int, skus: int) -> bytes:
    rows = ["external_ref,customer_id,channel,sku,quantity"]
    rows += [
        f"BIG-{n // 2},bench-customer,marketplace,SKU-{n % skus},{1 + n % 3}" for n in range(lines)
    ]
    return ("\n".join(rows) + "\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--skus", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"bench-import-{stamp}"
    with scratch_database(scratch, "orders", args.postgres) as url:
        app = service_app("orders", url)
        customer = {"customer_id": "bench-customer", "name": "Bench", "email": "b@example.com"}
        deliver(app, "customer.registered", customer)
        for n in range(args.skus):
            product = {"sku": f"SKU-{n}", "name": f"SKU {n}", "unit_price": "9.99"}
            deliver(app, "product.created", product | {"currency": "EUR", "category": None})
        client, body = app.test_client(), csv_of(args.lines, args.skus)
        headers = {**bearer(), "Content-Type": "text/csv"}
        timings = {}
        for attempt in ("first", "re-sent"):
            started = time.perf_counter()
            answer = client.post("/api/v1/orders/import", data=body, headers=headers)
            timings[attempt] = round(time.perf_counter() - started, 2)
            if answer.status_code != 200 or answer.json["errors"]:
                print(
                    f"import failed: {answer.status_code} {str(answer.json)[:300]}", file=sys.stderr
                )
                return 2
            timings[f"{attempt}_result"] = {k: answer.json[k] for k in ("created", "duplicates")}
        app.extensions["erp_engine"].dispose()
    backend = "postgresql" if args.postgres else "sqlite"
    label = f"import of {args.lines} lines (s)"
    print(f"{label:<40} {timings['first']}  {timings['first_result']}")
    print(f"{'the same file again (s)':<40} {timings['re-sent']}  {timings['re-sent_result']}")
    output = REPO / "bench" / "results" / f"order_import-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps({"at": stamp, "backend": backend, **vars(args), **timings}, indent=2) + "\n"
    )
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
