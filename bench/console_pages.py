"""Benchmark: loading the console's order list page with 50 orders, as a signed-in user.

`make bench` runs it (or `.venv/bin/python bench/console_pages.py`). It starts its own system
with erp_testing.system (SQLite, its own ports and var/bench-console-<time>), places --orders
orders, signs in to the console as a browser does (the CSRF cookie from the sign-in page,
then the form), and then loads `/orders` (50 to a page) --loads times, one after another.
Each load is the whole page as the browser gets it: the gateway renders it after its own
in-process `GET /api/v1/orders` (token check, rate limit, forwarding to the orders service).
The goal is a p99 under 300 ms on a 2-core machine; the figures are printed, never asserted,
and written to bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from erp_testing import broker_url
from erp_testing.system import ADMIN_PASSWORD, SystemFailed, running_system

REPO = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROW = re.compile(r"<tr>\s*<td><a href=\"/orders/")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def signed_in(gateway: str) -> httpx.Client:
    """A client holding the console's session cookies, signed in as the admin."""
    browser = httpx.Client(base_url=gateway, timeout=30)
    token = CSRF.search(browser.get("/sign-in").text).group(1)
    answer = browser.post(
        "/sign-in", data={"csrf_token": token, "username": "admin", "password": ADMIN_PASSWORD}
    )
    if answer.status_code != 302:
        raise SystemFailed(f"console sign-in answered {answer.status_code}")
    return browser


def measure(browser: httpx.Client, loads: int) -> list[float]:
    timings = []
    for _ in range(loads):
        started = time.perf_counter()
        page = browser.get("/orders")
        timings.append((time.perf_counter() - started) * 1000)
        if page.status_code != 200:
            raise SystemFailed(f"/orders answered {page.status_code}")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--loads", type=int, default=300)
    parser.add_argument("--warm-up", type=int, default=20)
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    var_dir = REPO / "var" / f"bench-console-{stamp}"
    try:
        with running_system(var_dir, broker_url()) as system:
            system.create_stocked_product("BENCH-CHAIR", args.orders * 2)
            customer = system.create_customer()
            system.place_first_order(customer, "BENCH-CHAIR", 1)
            for _ in range(args.orders - 1):
                placed = system.place_order(customer, "BENCH-CHAIR", 1)
                if placed.status_code != 201:
                    raise SystemFailed(f"placing an order answered {placed.status_code}")
            browser = signed_in(system.gateway)
            rows = len(ROW.findall(browser.get("/orders").text))
            measure(browser, args.warm_up)
            timings = measure(browser, args.loads)
    except SystemFailed as failed:
        print(f"setup failed: {failed}", file=sys.stderr)
        return 2
    result = {
        "page": "/orders",
        "orders_on_page": rows,
        "loads": args.loads,
        "p50_ms": round(statistics.median(timings), 1),
        "p99_ms": round(percentile(timings, 0.99), 1),
        "max_ms": round(max(timings), 1),
        "goal_ms": 300,
    }
    print(
        f"console /orders with {rows} orders, {args.loads} loads: p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms, max {result['max_ms']} ms (goal: under 300 ms)"
    )
    output = REPO / "bench" / "results" / f"console_pages-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
