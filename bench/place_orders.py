"""Benchmark: how many orders a second the system decides while keeping up, and at what cost.

`make bench` (= `.venv/bin/python bench/place_orders.py`, once per order size, database and
number of copies). Starts its own system with erp_testing.system (own ports, var dir and bus
prefix, SQLite unless --postgres; --copies 2 runs two processes of every app and two workers
per service, as two Kubernetes replicas would), then:

1. At rest: the CPU its processes use while nothing happens, and their memory (RSS).
2. Quiet: --quiet orders one second apart; placed -> decided of each. Then products and
   customers created one at a time, each timed until its copy is in every service that keeps
   one (read from those services' databases, not through them).
3. Closed loop, with wrk (a C generator): `GET /health/live` on the gateway (the floor every
   ratio is taken to), `GET /api/v1/products/{sku}`, and `POST /api/v1/orders` for
   --duration seconds. The orders' decisions are read afterwards.
4. Open loop, the headline: orders arrive at a fixed rate (bench/open_loop.py), one step of
   --duration seconds per rate in --rates, until a step's decisions fall behind its
   arrivals. For each step: placed/s, decided/s, backlog growth, placed -> decided p50/p99,
   CPU milliseconds per order by process (RabbitMQ and PostgreSQL included), and the
   generator's own share of the busy CPU. The headline is the highest rate whose decisions
   kept up with arrivals and whose p99 stayed within --latency-goal.

No figure polls the system while it is measured: placed -> decided always comes from the
orders service's own history timestamps, read from its database once the step has drained.
Numbers go to stdout, a JSON file, and one line appended to docs/performance.md
(--no-record to skip); timing is never asserted. Exit code: 2 if setup failed, 1 if an
order was lost. The system's logs stay in var/bench-<time> when setup fails.
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
from datetime import UTC, datetime
from pathlib import Path

from open_loop import drive
from sqlalchemy import bindparam, create_engine, text

from erp_testing import broker_url, create_database, drop_databases, postgres_url
from erp_testing.processes import cpu_by_process, cpu_by_server, rss_by_process
from erp_testing.system import SystemFailed, copies_environment, running_system

REPO = Path(__file__).resolve().parent.parent
ORDER_SCRIPT = Path(__file__).with_name("place_orders.lua")
PERFORMANCE_LOG = REPO / "docs" / "performance.md"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}
# A step keeps up when it decided this share of what arrived at its rate.
KEEPS_UP = 0.95
# The services holding a copy of a product or a customer, and the table it lands in.
PRODUCT_COPIES = ("orders", "analytics")
CUSTOMER_COPIES = ("orders",)


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


class Ledger:
    """The services' own databases, read from outside: the orders' history, and the copies
    of products and customers. Reading a database costs the system nothing it would notice;
    asking its HTTP API would."""

    def __init__(self, system):
        self.engines = {
            app: create_engine(system.database_url(app)) for app in ("orders", "analytics")
        }

    def pending(self) -> int:
        with self.engines["orders"].connect() as db:
            return db.execute(text("SELECT count(*) FROM orders WHERE status = 'pending'")).one()[0]

    def timeline(self, order_ids: list[str]) -> dict[str, dict[str, datetime]]:
        """Each order's moments: when it was placed (`pending`) and decided, by status."""
        moments: dict[str, dict[str, datetime]] = {}
        query = text(
            "SELECT order_id, status, at FROM order_history WHERE order_id IN :ids"
            " AND status IN ('pending', 'confirmed', 'rejected')"
        ).bindparams(bindparam("ids", expanding=True))
        with self.engines["orders"].connect() as db:
            for start in range(0, len(order_ids), 500):
                rows = db.execute(query, {"ids": order_ids[start : start + 500]})
                for order_id, status, at in rows:
                    at = at if isinstance(at, datetime) else datetime.fromisoformat(at)
                    moments.setdefault(order_id, {})[status] = _utc(at)
        return moments

    def holds(self, app: str, table: str, key: str, value: str) -> bool:
        with self.engines[app].connect() as db:
            query = text(f"SELECT 1 FROM {table} WHERE {key} = :value")  # nosec B608: constants
            return db.execute(query, {"value": value}).first() is not None

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def decisions(ledger: Ledger, placed: list[str], window_end: datetime | None = None) -> dict:
    """Placed -> decided latency and the decision rate, from the orders' own history; with
    `window_end` (when arrivals stopped), how many were still undecided at that moment."""
    timeline = ledger.timeline(placed)
    statuses = Counter()
    latencies, ends = [], []
    for moments in timeline.values():
        decided_as = next((s for s in ("confirmed", "rejected") if s in moments), None)
        statuses[decided_as or "pending"] += 1
        if decided_as and "pending" in moments:
            latencies.append((moments[decided_as] - moments["pending"]).total_seconds() * 1000)
            ends.append(moments[decided_as])
    # Decisions per second between the first and the last: at a steady arrival rate that
    # keeps up, the arrival rate itself.
    span = (max(ends) - min(ends)).total_seconds() if len(ends) > 1 else 0
    summary = {
        "placed": len(placed),
        "confirmed": statuses["confirmed"],
        "rejected": statuses["rejected"],
        "still_pending": len(placed) - statuses["confirmed"] - statuses["rejected"],
        "decided_per_second": round((len(ends) - 1) / span, 1) if span else None,
        "latency_ms": nearest_rank(latencies),
    }
    if window_end is not None:
        summary["undecided_when_arrivals_stopped"] = sum(1 for end in ends if end > window_end)
        summary["undecided_when_arrivals_stopped"] += summary["still_pending"]
    return summary


def drain(system, ledger: Ledger, timeout: float) -> float:
    """Wait until no order is pending and the system's processes have gone quiet (the
    consumers downstream of the decision are done too); the seconds it took."""
    started = time.monotonic()
    while ledger.pending() and time.monotonic() - started < timeout:
        time.sleep(0.5)
    before = sum(cpu_by_process(system).values())
    while time.monotonic() - started < timeout:
        time.sleep(0.5)
        after = sum(cpu_by_process(system).values())
        if after - before < 0.05 * 0.5:
            break
        before = after
    return time.monotonic() - started


def cpu_snapshot(system) -> dict[str, float]:
    return {**cpu_by_process(system), **cpu_by_server()}


def cpu_ms_per_order(before: dict, after: dict, orders: int) -> dict[str, float]:
    spent = {name: max(0.0, after[name] - before.get(name, 0.0)) for name in after}
    per_order = {name: round(cpu * 1000 / orders, 2) for name, cpu in spent.items() if cpu}
    return {"total": round(sum(per_order.values()), 2), **per_order}


def order_request(system, body: dict) -> tuple[str, bytes, dict]:
    return (
        f"{system.gateway}/api/v1/orders",
        json.dumps(body).encode(),
        {"Authorization": f"Bearer {system.token}"},
    )


def open_loop_step(system, ledger: Ledger, body: dict, rate: float, args) -> dict:
    """Orders arriving at `rate` for --duration seconds, then drained; what it cost."""
    url, payload, headers = order_request(system, body)
    cpu_before = cpu_snapshot(system)
    busy_before, _ = cpu_times()
    generator_before = time.process_time()
    arrivals = drive(url, payload, headers, rate, args.duration)
    arrivals_ended = datetime.now(UTC)
    generator_cpu = time.process_time() - generator_before
    busy_during, _ = cpu_times()
    drain_seconds = drain(system, ledger, args.settle_timeout)
    cpu_after = cpu_snapshot(system)
    step = decisions(ledger, arrivals.ids, arrivals_ended)
    placed_per_second = len(arrivals.ids) / args.duration
    kept_up = bool(
        step["decided_per_second"]
        and step["decided_per_second"] >= KEEPS_UP * placed_per_second
        and step["undecided_when_arrivals_stopped"] <= max(1, rate * args.latency_goal / 1000)
    )
    return {
        "rate_asked": rate,
        "placed_per_second": round(placed_per_second, 1),
        "answers": arrivals.statuses,
        "connection_errors": arrivals.errors,
        "connections_opened": arrivals.connections,
        "http_latency_ms": nearest_rank(arrivals.latencies_ms),
        "backlog_growth_per_second": round(
            step["undecided_when_arrivals_stopped"] / args.duration, 1
        ),
        "drain_seconds": round(drain_seconds, 1),
        "kept_up": kept_up,
        "within_goal": kept_up and (step["latency_ms"]["p99"] or 0) <= args.latency_goal,
        "cpu_ms_per_order": cpu_ms_per_order(cpu_before, cpu_after, max(1, len(arrivals.ids))),
        "generator_cpu_cores": round(generator_cpu / args.duration, 3),
        "generator_share_of_busy_cpu": round(generator_cpu / (busy_during - busy_before), 3)
        if busy_during > busy_before
        else None,
        **step,
    }


def open_loop(system, ledger: Ledger, body: dict, args) -> dict:
    """The steps of arrival rates, up to the first that falls behind; the headline rate."""
    steps = []
    for rate in args.rates:
        print(f"open loop: {rate:g} orders/s for {args.duration}s", flush=True)
        steps.append(open_loop_step(system, ledger, body, rate, args))
        last = steps[-1]
        print(
            f"  decided {last['decided_per_second']}/s, p50/p99 "
            f"{last['latency_ms']['p50']}/{last['latency_ms']['p99']} ms, "
            f"{last['cpu_ms_per_order']['total']} CPU ms/order, kept up: {last['kept_up']}",
            flush=True,
        )
        if not last["kept_up"]:
            break
    good = [step["rate_asked"] for step in steps if step["within_goal"]]
    return {"steps": steps, "headline_rate": max(good, default=None)}


def quiet_orders(system, ledger: Ledger, body: dict, count: int) -> dict:
    """`count` orders one second apart on a system with nothing else to do."""
    url, payload, headers = order_request(system, body)
    arrivals = drive(url, payload, headers, 1.0, count)
    drain(system, ledger, 60)
    return decisions(ledger, arrivals.ids)["latency_ms"]


def copies_arrive(system, ledger: Ledger, count: int) -> dict:
    """Products and customers created one at a time through the API: how long after the
    201 until every service that keeps a copy has it (its database read every 2 ms)."""
    waits: dict[str, list[float]] = {"product": [], "customer": []}
    for index in range(count):
        sku = f"COPY-{uuid.uuid4().hex[:8]}"
        answer = system.call("POST", "/products", json={"sku": sku, "name": sku, "unit_price": "1"})
        answered = time.perf_counter()
        for app in PRODUCT_COPIES:
            _wait_for_copy(ledger, app, "products", "sku", sku)
        waits["product"].append((time.perf_counter() - answered) * 1000)
        answer = system.call(
            "POST", "/customers", json={"name": "Copy", "email": f"copy-{sku.lower()}@example.com"}
        )
        answered = time.perf_counter()
        for app in CUSTOMER_COPIES:
            _wait_for_copy(ledger, app, "customers", "id", answer.json()["id"])
        waits["customer"].append((time.perf_counter() - answered) * 1000)
        time.sleep(0.3 if index % 2 else 0.7)
    return {kind: nearest_rank(values) for kind, values in waits.items()}


def _wait_for_copy(ledger: Ledger, app: str, table: str, key: str, value: str) -> None:
    deadline = time.monotonic() + 10
    while not ledger.holds(app, table, key, value):
        if time.monotonic() > deadline:
            raise SystemFailed(f"{app} has no copy of {table} {value} after 10 s")
        time.sleep(0.002)


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


def closed_loop(system, ledger: Ledger, body: dict, sku: str, args) -> dict:
    """wrk's figures: the gateway's floor, a read through it, and orders as fast as answered."""
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
        env = {"BENCH_TOKEN": token, "BENCH_BODY": json.dumps(body), "BENCH_IDS": f"{scratch}/ids"}
        results["place_order"], results["rss_mib_under_load"] = peak_rss(
            system,
            lambda: run_wrk(f"{system.gateway}/api/v1/orders", args, ORDER_SCRIPT, env),
        )
        placed = [line for path in Path(scratch).glob("ids.*") for line in path.read_text().split()]
    drain(system, ledger, args.settle_timeout)
    results["decisions"] = decisions(ledger, placed)
    floor = results["gateway_live"]["ok_per_second"] or None
    for name in ("product_read", "place_order"):
        ratio = results[name]["ok_per_second"] / floor if floor else None
        results[name]["ratio_to_gateway_live"] = ratio and round(ratio, 3)
    return results


def measure(system, args) -> dict:
    sku = f"BENCH-{uuid.uuid4().hex[:8]}"
    for extra in [sku] + [f"{sku}-{i}" for i in range(1, args.lines)]:
        system.create_stocked_product(extra, 10_000_000)
    customer = system.create_customer()
    warm_up = system.place_first_order(customer, sku, 1, args.lines)
    system.decisions([warm_up["id"]])
    body = system.order_body(customer, sku, 1, args.lines)
    ledger = Ledger(system)
    try:
        results = {}
        print(f"at rest for {args.rest}s", flush=True)
        time.sleep(2)
        results["rest"] = at_rest(system, args.rest)
        print(f"{args.quiet} orders one second apart", flush=True)
        results["quiet_order_ms"] = quiet_orders(system, ledger, body, args.quiet)
        results["copy_arrival_ms"] = copies_arrive(system, ledger, args.quiet)
        results |= closed_loop(system, ledger, body, sku, args)
        results["open_loop"] = open_loop(system, ledger, body, args)
    finally:
        ledger.close()
    return results


def print_table(results: dict) -> None:
    rows = []
    rest = results["rest"]
    rows.append(("system RSS at rest MiB", f"{sum(rest['rss_mib'].values()):.0f}"))
    rows.append(("system RSS under load MiB", f"{sum(results['rss_mib_under_load'].values()):.0f}"))
    rows.append(("system CPU at rest", f"{rest['idle_cpu_share_of_one_core']:.1%} of one core"))
    quiet = results["quiet_order_ms"]
    rows.append(("quiet placed->decided p50/p99 ms", f"{quiet['p50']} / {quiet['p99']}"))
    for kind, ms in results["copy_arrival_ms"].items():
        rows.append((f"{kind} copied everywhere p50/p99 ms", f"{ms['p50']} / {ms['p99']}"))
    for name in ("gateway_live", "product_read", "place_order"):
        phase = results[name]
        ratio = phase.get("ratio_to_gateway_live")
        rate = f"{phase['ok_per_second']}" + (f"  (x{ratio} of gateway_live)" if ratio else "")
        rows.append((f"wrk {name} req/s", rate))
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
    closed = results["decisions"]
    rows.append(("wrk orders decided/s (closed loop)", f"{closed['decided_per_second']}"))
    for step in results["open_loop"]["steps"]:
        ms = step["latency_ms"]
        rows.append(
            (
                f"open loop {step['rate_asked']:g}/s: decided/s",
                f"{step['decided_per_second']} (backlog +{step['backlog_growth_per_second']}/s, "
                f"{'kept up' if step['kept_up'] else 'fell behind'})",
            )
        )
        rows.append(("  placed->decided p50/p99 ms", f"{ms['p50']} / {ms['p99']}"))
        cpu = step["cpu_ms_per_order"]
        rows.append(
            (
                "  CPU ms per order",
                f"{cpu['total']}: "
                + ", ".join(f"{k} {v}" for k, v in cpu.items() if k != "total" and v >= 0.1),
            )
        )
        rows.append(("  generator share of busy CPU", f"{step['generator_share_of_busy_cpu']}"))
    rows.append(
        ("headline orders/s (kept up, p99 in goal)", f"{results['open_loop']['headline_rate']}")
    )
    for label, value in rows:
        print(f"{label:<42} {value}")


def record(report: dict) -> str:
    """One line of the table in docs/performance.md, so the figures' history stays in the repo."""
    live, read = report["gateway_live"], report["product_read"]
    steps = report["open_loop"]["steps"]
    headline = report["open_loop"]["headline_rate"]
    best = next((s for s in steps if s["rate_asked"] == headline), steps[0])
    half = min(steps, key=lambda s: abs(s["rate_asked"] - (headline or 0) / 2))
    quiet = report["quiet_order_ms"]
    line = (
        f"| {report['at'][:16]} | {report['machine']['backend']} | "
        f"{report['parameters']['lines']} | {report['parameters']['copies']} | "
        f"{live['ok_per_second']:.0f} | "
        f"{read['ok_per_second']:.0f} ({read['ratio_to_gateway_live']:.0%}) | "
        f"{report['decisions']['decided_per_second']} | {headline} | "
        f"{best['latency_ms']['p50']} / {best['latency_ms']['p99']} | "
        f"{half['rate_asked']:g}: {half['latency_ms']['p50']} / {half['latency_ms']['p99']} | "
        f"{best['cpu_ms_per_order']['total']} | {quiet['p50']} / {quiet['p99']} | "
        f"{sum(report['rest']['rss_mib'].values()):.0f} / "
        f"{sum(report['rss_mib_under_load'].values()):.0f} | "
        f"{report['rest']['idle_cpu_share_of_one_core']:.1%} | "
        f"{best['generator_share_of_busy_cpu']:.0%} |"
    )
    with PERFORMANCE_LOG.open("a") as log:
        log.write(line + "\n")
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per phase and step")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--lines", type=int, default=1, help="lines per order")
    parser.add_argument("--rest", type=float, default=10.0, help="seconds measured at rest")
    parser.add_argument("--quiet", type=int, default=20, help="orders placed 1 s apart")
    parser.add_argument(
        "--rates",
        type=lambda text: [float(r) for r in text.split(",")],
        default=[10, 20, 30, 40, 50, 60, 75, 100, 125, 150, 200, 250, 300],
        help="open-loop arrival rates, orders/s, comma-separated",
    )
    parser.add_argument("--latency-goal", type=float, default=250.0, help="p99 ms, placed->decided")
    parser.add_argument("--copies", type=int, default=1, help="processes per app and worker")
    parser.add_argument("--settle-timeout", type=float, default=180.0)
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
            **copies_environment(args.copies),
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
    print_table(results)
    shutil.rmtree(var_dir, ignore_errors=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"written to {output}")
    if not args.no_record:
        print(f"appended to {PERFORMANCE_LOG.relative_to(REPO)}: {record(report)}")
    lost = results["decisions"]["still_pending"] + sum(
        step["still_pending"] for step in results["open_loop"]["steps"]
    )
    if lost:
        print(f"{lost} orders lost: still pending after the wait", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
