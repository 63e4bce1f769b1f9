"""Benchmark: how fast the system takes and decides orders, against the gateway's own floor.

`make bench` (= `.venv/bin/python bench/place_orders.py`, once per order size and database).
Starts its own system with erp_testing.system (own ports, var dir and bus prefix, SQLite
unless --postgres), then:

1. At rest: the CPU its processes use while nothing happens, and their memory (RSS).
2. Drives it with wrk, a C load generator that costs far less CPU than the system it measures:
   `GET /health/live` on the gateway (the floor every ratio is taken to), `GET
   /api/v1/products/{sku}` (a read through the gateway to inventory and its database), then
   `POST /api/v1/orders` (`--lines` lines each) for `--duration` seconds: the peak.
3. Every order placed at the peak is polled until decided: placed->decided latency and the
   sustained decision rate come from the orders' own history timestamps.
4. Orders placed at half of the peak's decision rate: the latency of a system with headroom.

For each phase it reports the CPU the load generator used and its share of all busy CPU, so a
reader can see it was not the bottleneck, and the system's RSS under load. Numbers go to
stdout, a JSON file, and one line appended to docs/performance.md (--no-record to skip);
timing is never asserted. Exit code: 2 if setup failed, 1 if an order was lost. The system's
logs stay in var/bench-<time> when setup fails.
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
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from erp_testing import broker_url, create_database, drop_databases, postgres_url
from erp_testing.processes import cpu_by_process, rss_by_process
from erp_testing.system import SystemFailed, running_system

REPO = Path(__file__).resolve().parent.parent
ORDER_SCRIPT = Path(__file__).with_name("place_orders.lua")
PERFORMANCE_LOG = REPO / "docs" / "performance.md"
# Client threads placing orders at half of the peak rate: enough that one slow answer does
# not hold back the schedule.
PACED_CLIENTS = 8
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


def place_paced(system, body: dict, rate: float, duration: float) -> tuple[list[str], float]:
    """Orders at a steady `rate` for `duration` seconds, each sent at its own moment by one of
    PACED_CLIENTS threads; the ids placed and the CPU seconds this process spent sending."""
    count = max(1, int(rate * duration))
    started = time.perf_counter()
    cpu_before = time.process_time()

    def send(index: int) -> str | None:
        time.sleep(max(0.0, started + index / rate - time.perf_counter()))
        answer = system.call("POST", "/orders", json=body)
        return answer.json()["id"] if answer.is_success else None

    with ThreadPoolExecutor(PACED_CLIENTS) as pool:
        placed = [order for order in pool.map(send, range(count)) if order]
    return placed, time.process_time() - cpu_before


def at_rest(system, seconds: float) -> dict:
    """CPU of the whole system while nothing happens, as a share of one core, and its RSS."""
    before = cpu_by_process(system)
    time.sleep(seconds)
    after = cpu_by_process(system)
    used = {name: max(0.0, after[name] - before.get(name, 0.0)) for name in after}
    return {
        "idle_cpu_share_of_one_core": round(sum(used.values()) / seconds, 4),
        "idle_cpu_by_process": {name: round(cpu / seconds, 4) for name, cpu in used.items()},
        "rss_mib": rss_by_process(system),
    }


def peak_rss(system, phase) -> tuple[object, dict]:
    """Run `phase` while sampling the system's RSS each second; the largest total seen."""
    samples: list[dict] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(1.0):
            samples.append(rss_by_process(system))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = phase()
    finally:
        done.set()
        sampler.join()
    return result, max(samples, key=lambda s: sum(s.values()), default={})


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
    print(f"at rest for {args.rest}s", flush=True)
    time.sleep(2)
    results["rest"] = at_rest(system, args.rest)
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
        results["place_order"], results["rss_mib_under_load"] = peak_rss(
            system,
            lambda: run_wrk(f"{system.gateway}/api/v1/orders", args, ORDER_SCRIPT, env),
        )
        placed = [line for path in Path(scratch).glob("ids.*") for line in path.read_text().split()]
    print(f"waiting up to {args.settle_timeout}s for {len(placed)} orders", flush=True)
    results["decisions"] = decisions(placed, decide_all(system, placed, args.settle_timeout))
    peak = results["decisions"]["decided_per_second"] or args.duration
    half = round(peak / 2, 1)
    print(f"POST /api/v1/orders at {half:g}/s (half of the peak) for {args.duration}s", flush=True)
    busy_before, _ = cpu_times()
    paced, client_cpu = place_paced(system, body, half, args.duration)
    busy_after, _ = cpu_times()
    results["decisions_half_peak"] = decisions(
        paced, decide_all(system, paced, args.settle_timeout)
    )
    results["decisions_half_peak"] |= {
        "rate_asked": half,
        "client_cpu_cores": round(client_cpu / args.duration, 3),
        "client_share_of_busy_cpu": round(client_cpu / (busy_after - busy_before), 3)
        if busy_after > busy_before
        else None,
    }
    floor = results["gateway_live"]["ok_per_second"] or None
    for name in ("product_read", "place_order"):
        ratio = results[name]["ok_per_second"] / floor if floor else None
        results[name]["ratio_to_gateway_live"] = ratio and round(ratio, 3)
    return results


def print_table(results: dict, args) -> None:
    rows = []
    rest = results["rest"]
    rows.append(("system RSS at rest MiB", f"{sum(rest['rss_mib'].values()):.0f}"))
    rows.append(("system RSS under load MiB", f"{sum(results['rss_mib_under_load'].values()):.0f}"))
    rows.append(("system CPU at rest", f"{rest['idle_cpu_share_of_one_core']:.1%} of one core"))
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
    half = results["decisions_half_peak"]
    for name, label in (("decisions", "peak"), ("decisions_half_peak", "half of peak")):
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
    rows.append(
        (
            "  client CPU at half (cores; share)",
            f"{half['client_cpu_cores']}; {half['client_share_of_busy_cpu']}",
        )
    )
    for label, value in rows:
        print(f"{label:<40} {value}")


def record(report: dict) -> str:
    """One line of the table in docs/performance.md, so the figures' history stays in the repo."""
    live, read = report["gateway_live"], report["product_read"]
    peak, half = report["decisions"], report["decisions_half_peak"]
    line = (
        f"| {report['at'][:16]} | {report['machine']['backend']} | "
        f"{report['parameters']['lines']} | {live['ok_per_second']:.0f} | "
        f"{read['ok_per_second']:.0f} ({read['ratio_to_gateway_live']:.0%}) | "
        f"{report['place_order']['ok_per_second']:.0f} | {peak['decided_per_second']} | "
        f"{peak['latency_ms']['p50']} / {peak['latency_ms']['p99']} | "
        f"{half['latency_ms']['p50']} / {half['latency_ms']['p99']} | "
        f"{sum(report['rest']['rss_mib'].values()):.0f} / "
        f"{sum(report['rss_mib_under_load'].values()):.0f} | "
        f"{report['rest']['idle_cpu_share_of_one_core']:.1%} | "
        f"{report['place_order']['wrk_share_of_busy_cpu']:.0%} |"
    )
    with PERFORMANCE_LOG.open("a") as log:
        log.write(line + "\n")
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk phase")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--lines", type=int, default=1, help="lines per order")
    parser.add_argument("--rest", type=float, default=10.0, help="seconds measured at rest")
    parser.add_argument("--settle-timeout", type=float, default=120.0)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    parser.add_argument("--output", type=Path, help="JSON file (default bench/results/...)")
    parser.add_argument(
        "--no-record", action="store_true", help="do not append a line to docs/performance.md"
    )
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
            var_dir,
            broker_url(),
            new_database if args.postgres else None,
            GATEWAY_RATE_LIMIT="100000000/minute",
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
    if not args.no_record:
        print(f"appended to {PERFORMANCE_LOG.relative_to(REPO)}: {record(report)}")
    lost = results["decisions"]["still_pending"] + results["decisions_half_peak"]["still_pending"]
    if lost:
        print(f"{lost} orders lost: still pending after the wait", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
