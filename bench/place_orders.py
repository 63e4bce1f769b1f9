"""Benchmark: how fast the system takes and decides orders, against the gateway's own floor.

`make bench` (= `.venv/bin/python bench/place_orders.py`). Starts its own system with
erp_testing.system (own ports, var dir and bus prefix, SQLite unless --postgres), then drives
it with wrk, a C load generator that costs far less CPU than the system it measures:

1. `GET /health/live` on the gateway: the gateway alone, the floor every ratio is taken to.
2. `GET /api/v1/products/{sku}`: a read through the gateway to inventory and its database.
3. `POST /api/v1/orders` (`--lines` lines each) for `--duration` seconds.
4. Every order placed in 3 is polled until decided: placed->confirmed latency and the
   sustained decision rate come from the orders' own history timestamps.
5. Orders placed at a steady `--paced-rate` from one client: the latency of an unsaturated
   system, beside the latency under the saturating load of 3.

For each wrk phase it reports the CPU wrk itself used and the whole machine's CPU use, so a
reader can see the load generator was not the bottleneck. Numbers go to stdout and a JSON
file; timing is never asserted. Exit code: 2 if setup failed, 1 if an order was lost. The
system's logs stay in var/bench-<time> when setup fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from erp_testing import broker_url, create_database, drop_databases, postgres_url
from erp_testing.system import SystemFailed, running_system

REPO = Path(__file__).resolve().parent.parent
ORDER_SCRIPT = Path(__file__).with_name("place_orders.lua")
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def cpu_times() -> tuple[float, float]:
    """(busy, total) seconds of every core since boot, from /proc/stat."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(url: str, args, script: Path | None = None, env: dict | None = None) -> dict:
    """One wrk phase: its rate of 2xx answers, latency, errors and the CPU it cost."""
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    command += ["--latency", "--timeout", "10s"]
    if script:
        command += ["-s", str(script)]
    if env and "BENCH_TOKEN" in env and not script:
        command += ["-H", f"Authorization: Bearer {env['BENCH_TOKEN']}"]
    busy_before, total_before = cpu_times()
    wrk_before = children_cpu()
    done = subprocess.run(
        [*command, url], env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    wrk_cpu = children_cpu() - wrk_before
    busy_after, total_after = cpu_times()
    if done.returncode != 0:
        raise SystemFailed(f"wrk failed: {done.stderr or done.stdout}")
    out = done.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    failed = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket = re.search(r"Socket errors: (.*)", out)
    latency = {
        f"p{p}": round(float(value) * UNITS[unit], 2)
        for p, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    machine_cpu = busy_after - busy_before
    return {
        "url": url,
        "ok_per_second": round((requests - failed) / args.duration, 1),
        "requests": requests,
        "non_2xx": failed,
        "socket_errors": socket.group(1).strip() if socket else None,
        "latency_ms": latency,
        "wrk_cpu_cores": round(wrk_cpu / args.duration, 2),
        "wrk_share_of_busy_cpu": round(wrk_cpu / machine_cpu, 3) if machine_cpu else None,
        "machine_busy": round(machine_cpu / (total_after - total_before), 3),
    }


def nearest_rank(values: list[float]) -> dict:
    """p50/p99/max by nearest rank, so every figure is a time that was actually observed."""
    ordered = sorted(values)
    ranks = {"p50": 50, "p99": 99, "max": 100}
    if not ordered:
        return dict.fromkeys(ranks)
    return {k: round(ordered[math.ceil(p / 100 * len(ordered)) - 1], 1) for k, p in ranks.items()}


def decide_all(system, order_ids: list[str], timeout: float) -> dict[str, dict]:
    """Poll each order until it leaves `pending`; whatever is still pending then is lost."""
    final: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(8) as pool:
        pending = list(order_ids)
        while pending and time.monotonic() < deadline:
            for order in pool.map(system.order, pending):
                if order["status"] != "pending":
                    final[order["id"]] = order
            pending = [i for i in pending if i not in final]
            if pending:
                time.sleep(0.5)
    return final


def decisions(placed: list[str], settled: dict[str, dict]) -> dict:
    """Placed->decided latency and rate, from the orders' own history timestamps."""
    statuses = Counter(order["status"] for order in settled.values())
    latencies, starts, ends = [], [], []
    for order in settled.values():
        at = {entry["status"]: datetime.fromisoformat(entry["at"]) for entry in order["history"]}
        decided = at.get("confirmed") or at.get("rejected")
        if "pending" in at and decided:
            latencies.append((decided - at["pending"]).total_seconds() * 1000)
            starts.append(at["pending"])
            ends.append(decided)
    span = (max(ends) - min(starts)).total_seconds() if ends else 0
    return {
        "placed": len(placed),
        "confirmed": statuses.pop("confirmed", 0),
        "rejected": statuses.pop("rejected", 0),
        "other": dict(statuses),
        "still_pending": len(placed) - len(settled),
        "decided_per_second": round(len(ends) / span, 1) if span else None,
        "latency_ms": nearest_rank(latencies),
    }


def place_paced(system, body: dict, rate: float, duration: float) -> list[str]:
    """One order every 1/rate seconds from one client."""
    placed, sent, started = [], 0, time.perf_counter()
    while time.perf_counter() - started < duration:
        answer = system.call("POST", "/orders", json=body)
        if answer.is_success:
            placed.append(answer.json()["id"])
        sent += 1
        time.sleep(max(0.0, started + sent / rate - time.perf_counter()))
    return placed


def measure(system, args) -> dict:
    sku = f"BENCH-{uuid.uuid4().hex[:8]}"
    for extra in [sku] + [f"{sku}-{i}" for i in range(1, args.lines)]:
        system.create_stocked_product(extra, 10_000_000)
    customer = system.create_customer()
    warm_up = system.place_first_order(customer, sku, 1, args.lines)
    system.decisions([warm_up["id"]])
    body = system.order_body(customer, sku, 1, args.lines)
    token = system.token
    results = {}
    print(f"GET /health/live for {args.duration}s", flush=True)
    results["gateway_live"] = run_wrk(f"{system.gateway}/health/live", args)
    print(f"GET /api/v1/products/{{sku}} for {args.duration}s", flush=True)
    results["product_read"] = run_wrk(
        f"{system.gateway}/api/v1/products/{sku}", args, env={"BENCH_TOKEN": token}
    )
    print(f"POST /api/v1/orders ({args.lines} line(s)) for {args.duration}s", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            "BENCH_TOKEN": token,
            "BENCH_BODY": json.dumps(body),
            "BENCH_IDS": f"{scratch}/ids",
        }
        results["place_order"] = run_wrk(f"{system.gateway}/api/v1/orders", args, ORDER_SCRIPT, env)
        placed = [line for path in Path(scratch).glob("ids.*") for line in path.read_text().split()]
    print(f"waiting up to {args.settle_timeout}s for {len(placed)} orders", flush=True)
    results["decisions"] = decisions(placed, decide_all(system, placed, args.settle_timeout))
    print(f"POST /api/v1/orders at {args.paced_rate:g}/s for {args.duration}s", flush=True)
    paced = place_paced(system, body, args.paced_rate, args.duration)
    results["decisions_paced"] = decisions(paced, decide_all(system, paced, args.settle_timeout))
    floor = results["gateway_live"]["ok_per_second"] or None
    for name in ("product_read", "place_order"):
        ratio = results[name]["ok_per_second"] / floor if floor else None
        results[name]["ratio_to_gateway_live"] = ratio and round(ratio, 3)
    return results


def print_table(results: dict, args) -> None:
    rows = []
    for name in ("gateway_live", "product_read", "place_order"):
        phase = results[name]
        ratio = phase.get("ratio_to_gateway_live")
        rows.append(
            (
                f"{name} req/s",
                f"{phase['ok_per_second']}" + (f"  (x{ratio} of gateway_live)" if ratio else ""),
            )
        )
        rows.append(
            (
                "  latency p50 / p99 ms; errors",
                f"{phase['latency_ms'].get('p50')} / {phase['latency_ms'].get('p99')}; "
                f"{phase['non_2xx']} non-2xx, sockets {phase['socket_errors'] or 'ok'}",
            )
        )
        rows.append(
            (
                "  wrk CPU (cores; share of busy)",
                f"{phase['wrk_cpu_cores']}; {phase['wrk_share_of_busy_cpu']} "
                f"(machine {phase['machine_busy']:.0%} busy)",
            )
        )
    for name, label in (("decisions", "saturated"), ("decisions_paced", f"{args.paced_rate:g}/s")):
        done = results[name]
        ms = done["latency_ms"]
        rows.append((f"orders decided ({label})", f"{done['decided_per_second']} /s"))
        rows.append(
            (
                "  placed / confirmed / rejected / lost",
                f"{done['placed']} / {done['confirmed']} / {done['rejected']} / "
                f"{done['still_pending']}",
            )
        )
        rows.append(
            ("  placed->decided p50/p99/max ms", f"{ms['p50']} / {ms['p99']} / {ms['max']}")
        )
    for label, value in rows:
        print(f"{label:<40} {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk phase")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--lines", type=int, default=1, help="lines per order")
    parser.add_argument("--paced-rate", type=float, default=5.0, help="orders/s, unsaturated")
    parser.add_argument("--settle-timeout", type=float, default=120.0)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    parser.add_argument("--output", type=Path, help="JSON file (default bench/results/...)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = args.output or REPO / "bench" / "results" / f"place_orders-{stamp}.json"
    var_dir = REPO / "var" / f"bench-{stamp}"
    databases: list[str] = []

    def new_database() -> str:
        databases.append(f"erp_bench_{uuid.uuid4().hex[:10]}")
        return create_database(postgres_url(), databases[-1])

    try:
        with running_system(
            var_dir, broker_url(), new_database if args.postgres else None
        ) as system:
            print(f"system up at {system.gateway} (var {var_dir})", flush=True)
            results = measure(system, args)
    except (SystemFailed, OSError) as exc:
        print(f"setup failed: {exc}", file=sys.stderr)
        return 2
    finally:
        if databases:
            drop_databases(postgres_url(), databases)
    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": {**vars(args), "output": str(output)},
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "backend": "postgresql" if args.postgres else "sqlite",
        },
        **results,
    }
    print_table(results, args)
    shutil.rmtree(var_dir, ignore_errors=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"written to {output}")
    lost = results["decisions"]["still_pending"] + results["decisions_paced"]["still_pending"]
    if lost:
        print(f"{lost} orders lost: still pending after the wait", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
