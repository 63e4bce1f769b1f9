"""Benchmark: how long an order placed on a quiet system waits for its decision.

`make bench` runs it (or `.venv/bin/python bench/orders_at_rest.py`). It starts a system
(SQLite, erp_testing.system) twice: as deployed, where each app nudges its worker's outbox
relay as it commits events, and without the nudges (ERP_RELAY_NUDGE empty), where the relay
finds the order only at its next look (its back-off reaches half a second at rest). Each time
it places --orders orders one second apart, one at a time, and only then reads each order's
history: placed -> decided is the time between the orders service's own `pending` and
`confirmed` entries, so nothing polls the system while it is measured. The figures are
printed, never asserted, as p50 and p99 and their ratio between the two runs, and written to
bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from erp_testing import broker_url
from erp_testing.system import running_system

REPO = Path(__file__).resolve().parent.parent


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def decision_ms(order: dict) -> float:
    moments = {entry["status"]: datetime.fromisoformat(entry["at"]) for entry in order["history"]}
    return (moments["confirmed"] - moments["pending"]).total_seconds() * 1000


def measure(var_dir: Path, orders: int, **env) -> list[float]:
    with running_system(var_dir, broker_url(), GATEWAY_RATE_LIMIT="100000/minute", **env) as system:
        system.create_stocked_product("QUIET-1", orders * 2)
        customer = system.create_customer()
        system.place_first_order(customer, "QUIET-1", 1)
        placed = []
        for _ in range(orders):
            time.sleep(1.0)
            answer = system.place_order(customer, "QUIET-1", 1)
            placed.append(answer.json()["id"])
        system.decisions(placed)
        return [decision_ms(system.order(order_id)) for order_id in placed]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"bench-at-rest-{stamp}"
    figures = {}
    for name, env in (("nudged", {}), ("polling", {"ERP_RELAY_NUDGE": ""})):
        samples = measure(scratch / name, args.orders, **env)
        figures[name] = {
            "p50_ms": round(statistics.median(samples), 1),
            "p99_ms": round(percentile(samples, 0.99), 1),
            "max_ms": round(max(samples), 1),
        }
        print(f"{name:8} placed -> decided at rest: {figures[name]}", flush=True)
    ratio = figures["nudged"]["p50_ms"] / figures["polling"]["p50_ms"]
    print(f"p50 nudged / polling: {ratio:.2f}")
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"orders-at-rest-{stamp}.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
