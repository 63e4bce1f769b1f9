"""Benchmark: how fast the system takes orders, compared with its cheapest request.

`make bench` (= `.venv/bin/python bench/place_orders.py`). Measures, through the gateway, the
rate of `GET /health` and of `POST /api/v1/orders` with N concurrent clients, then how long a
placed order takes to become confirmed (from the order's own history). If no gateway answers on
GATEWAY_PORT, it starts the system with deploy/local/erpctl.py in its own ERP_VAR_DIR
(default var/bench) and stops it at the end. Numbers go to stdout and a JSON file. Timing is
never asserted; the exit code is non-zero only if setup failed or an order was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
ERPCTL = REPO / "deploy" / "local" / "erpctl.py"
GATEWAY = f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8080')}"
API = f"{GATEWAY}/api/v1"


class SetupFailed(Exception):
    """The system could not be started or prepared, so there is nothing to measure."""


def gateway_answers() -> bool:
    """Any HTTP answer on /health means someone runs a system here; we then must not start one."""
    try:
        httpx.get(f"{GATEWAY}/health", timeout=2)
        return True
    except httpx.TransportError:
        return False


@contextmanager
def running_system():
    """Yield the var dir of a running system: the one already up, or ours (stopped afterwards).

    Our own system gets its own var dir and bus prefix so it never shares databases or queues
    with one an engineer is running from the default var/.
    """
    if gateway_answers():
        yield Path(os.environ.get("ERP_VAR_DIR", "var")), False
        return
    env = dict(os.environ)
    env.setdefault("ERP_VAR_DIR", str(REPO / "var" / "bench"))
    env.setdefault("ERP_BUS_PREFIX", "bench.")
    erpctl = [sys.executable, str(ERPCTL)]
    print(f"no gateway at {GATEWAY}; starting the system in {env['ERP_VAR_DIR']}", flush=True)
    try:
        if subprocess.run([*erpctl, "up"], cwd=REPO, env=env).returncode != 0:
            raise SetupFailed(f"erpctl up failed; see {env['ERP_VAR_DIR']}/log")
        yield Path(env["ERP_VAR_DIR"]), True
    finally:
        subprocess.run([*erpctl, "down"], cwd=REPO, env=env)


def admin_password(var_dir: Path) -> str:
    """The same rule as erpctl: the environment wins, else the secret it generated."""
    if os.environ.get("ERP_ADMIN_PASSWORD"):
        return os.environ["ERP_ADMIN_PASSWORD"]
    path = var_dir if var_dir.is_absolute() else REPO / var_dir
    return (path / "admin-password").read_text().strip()


async def setup_post(client: httpx.AsyncClient, path: str, body: dict) -> dict:
    """A setup call that must succeed; anything else aborts the benchmark with the reason."""
    answer = await client.post(f"{API}{path}", json=body)
    if not answer.is_success:
        raise SetupFailed(f"POST {path} -> {answer.status_code}: {answer.text[:300]}")
    return answer.json()


async def prepare_catalogue_and_customer(client: httpx.AsyncClient, password: str) -> dict:
    """Log in, create a fresh product with ample stock and a fresh customer; return an order.

    Ends with one warm-up order, retried on 422, because the orders service learns of new
    products and customers through events and may lag by a few hundred ms. Unique names keep
    repeated runs against the same system from colliding (409).
    """
    token = await setup_post(client, "/auth/token", {"username": "admin", "password": password})
    client.headers["Authorization"] = f"Bearer {token['access_token']}"
    suffix = uuid.uuid4().hex[:10]
    sku, name = f"BENCH-{suffix}", f"Bench {suffix}"
    await setup_post(client, "/products", {"sku": sku, "name": name, "unit_price": "149.00"})
    stock = {"sku": sku, "quantity": 1_000_000, "unit_cost": "80.00"}
    await setup_post(client, "/receipts", {"lines": [stock]})
    email = f"bench-{suffix}@example.com"
    customer = await setup_post(client, "/customers", {"name": name, "email": email})
    order = {
        "customer_id": customer["id"],
        "channel": "web",
        "lines": [{"sku": sku, "quantity": 1}],
    }
    deadline = time.monotonic() + 30
    while True:
        answer = await client.post(f"{API}/orders", json=order)
        if answer.status_code == 201:
            return order
        if answer.status_code != 422 or time.monotonic() > deadline:
            raise SetupFailed(f"warm-up order -> {answer.status_code}: {answer.text[:300]}")
        await asyncio.sleep(0.1)


async def measure_rate(client, duration, concurrency, request, collect=None) -> dict:
    """Run `request` from `concurrency` clients back to back for `duration` seconds.

    Only 2xx answers count toward the rate; other statuses and transport errors are tallied
    by kind so a fast failure never looks like throughput. Per-request times show whether a
    low rate comes from slow answers or from the client side.
    """
    ok, errors, times = 0, Counter(), []
    started = time.perf_counter()
    deadline = started + duration

    async def one_client():
        nonlocal ok
        while (sent := time.perf_counter()) < deadline:
            try:
                answer = await request(client)
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
                continue
            times.append((time.perf_counter() - sent) * 1000)
            if answer.is_success:
                ok += 1
                if collect is not None:
                    collect(answer)
            else:
                errors[str(answer.status_code)] += 1

    await asyncio.gather(*(one_client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "ok": ok,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "seconds": round(elapsed, 3),
        "per_second": round(ok / elapsed, 1),
        "request_ms": summary(times),
    }


async def wait_until_settled(client, order_ids, timeout, concurrency) -> dict[str, dict]:
    """Poll each placed order until it leaves `pending`; whatever is still pending is lost."""
    final: dict[str, dict] = {}
    pending = list(order_ids)
    gate = asyncio.Semaphore(concurrency)
    deadline = time.monotonic() + timeout

    async def look(order_id):
        async with gate:
            answer = await client.get(f"{API}/orders/{order_id}")
        if answer.is_success and answer.json()["status"] != "pending":
            final[order_id] = answer.json()

    while pending and time.monotonic() < deadline:
        await asyncio.gather(*(look(i) for i in pending), return_exceptions=True)
        pending = [i for i in pending if i not in final]
        if pending:
            await asyncio.sleep(0.5)
    return final


async def place_paced(client, order: dict, rate: float, duration: float) -> list[str]:
    """One order every 1/rate seconds from one client: the latency of an unsaturated system,
    to set beside the latency under the saturating load above."""
    placed = []
    started = time.perf_counter()
    sent = 0
    while time.perf_counter() - started < duration:
        answer = await client.post(f"{API}/orders", json=order)
        if answer.is_success:
            placed.append(answer.json()["id"])
        sent += 1
        await asyncio.sleep(max(0.0, started + sent / rate - time.perf_counter()))
    return placed


def summary(values: list[float]) -> dict:
    """p50/p99/max by nearest rank, so every figure is a time that was actually observed."""
    ordered = sorted(values)
    ranks = {"p50": 50, "p99": 99, "max": 100}
    if not ordered:
        return dict.fromkeys(ranks)
    return {k: round(ordered[math.ceil(p / 100 * len(ordered)) - 1], 1) for k, p in ranks.items()}


def confirmation_latency(placed: list[str], settled: dict[str, dict]) -> dict:
    """Placed→confirmed time from the orders' own history timestamps, not the client's clock."""
    statuses = Counter(order["status"] for order in settled.values())
    latencies = []
    for order in settled.values():
        at = {entry["status"]: datetime.fromisoformat(entry["at"]) for entry in order["history"]}
        if "pending" in at and "confirmed" in at:
            latencies.append((at["confirmed"] - at["pending"]).total_seconds() * 1000)
    return {
        "placed": len(placed),
        "confirmed": statuses.pop("confirmed", 0),
        "rejected": statuses.pop("rejected", 0),
        "other": dict(statuses),
        "still_pending": len(placed) - len(settled),
        "latency_ms": summary(latencies),
    }


def print_table(results: dict) -> None:
    health, orders, done = results["health"], results["place_order"], results["confirmation"]
    ms, paced = done["latency_ms"], results["confirmation_paced"]["latency_ms"]
    rate = results["parameters"]["paced_rate"]
    rows = [
        ("health req/s", health["per_second"]),
        ("place-order req/s", orders["per_second"]),
        ("ratio place-order/health", results["ratio_place_order_to_health"]),
        ("placed->confirmed p50 / p99 / max ms", f"{ms['p50']} / {ms['p99']} / {ms['max']}"),
        (f"  same at {rate:g} orders/s", f"{paced['p50']} / {paced['p99']} / {paced['max']}"),
        ("orders placed", done["placed"]),
        (
            "  confirmed / rejected / other",
            f"{done['confirmed']} / {done['rejected']} / {done['other'] or 0}",
        ),
        ("  still pending (lost)", done["still_pending"]),
        ("errors health", f"{health['errors']} {health['error_kinds'] or ''}"),
        ("errors place-order", f"{orders['errors']} {orders['error_kinds'] or ''}"),
    ]
    for label, value in rows:
        print(f"{label:<38} {value}")


async def run(args, password: str, started_here: bool) -> dict:
    """Setup, then the two rate phases, then the wait for every placed order to settle."""
    n = args.concurrency
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        order = await prepare_catalogue_and_customer(client, password)
        print(f"GET /health for {args.duration}s with {n} clients", flush=True)
        health = await measure_rate(client, args.duration, n, lambda c: c.get(f"{GATEWAY}/health"))
        print(f"POST /orders for {args.duration}s with {n} clients", flush=True)
        placed: list[str] = []
        orders = await measure_rate(
            client,
            args.duration,
            n,
            lambda c: c.post(f"{API}/orders", json=order),
            collect=lambda answer: placed.append(answer.json()["id"]),
        )
        print(f"waiting up to {args.settle_timeout}s for {len(placed)} orders", flush=True)
        settled = await wait_until_settled(client, placed, args.settle_timeout, n)
        print(f"POST /orders at {args.paced_rate:g}/s for {args.duration}s", flush=True)
        paced = await place_paced(client, order, args.paced_rate, args.duration)
        settled_paced = await wait_until_settled(client, paced, args.settle_timeout, n)
    ratio = orders["per_second"] / health["per_second"] if health["per_second"] else None
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": {**vars(args), "gateway": GATEWAY, "system_started_by_bench": started_here},
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "httpx": httpx.__version__,
        },
        "health": health,
        "place_order": orders,
        "ratio_place_order_to_health": ratio and round(ratio, 3),
        "confirmation": confirmation_latency(placed, settled),
        "confirmation_paced": confirmation_latency(paced, settled_paced),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument(
        "--settle-timeout",
        type=float,
        default=60.0,
        help="seconds to wait for placed orders to be confirmed or rejected",
    )
    parser.add_argument(
        "--paced-rate", type=float, default=5.0, help="orders/s of the unsaturated latency phase"
    )
    parser.add_argument("--output", type=Path, help="JSON file (default bench/results/...)")
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = args.output or REPO / "bench" / "results" / f"place_orders-{stamp}.json"
    try:
        with running_system() as (var_dir, started_here):
            results = asyncio.run(run(args, admin_password(var_dir), started_here))
    except (SetupFailed, OSError, httpx.HTTPError) as exc:
        print(f"setup failed: {exc}", file=sys.stderr)
        return 2
    print_table(results)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"written to {output}")
    if results["confirmation"]["still_pending"] or results["confirmation_paced"]["still_pending"]:
        print("orders lost: still pending after the wait", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
