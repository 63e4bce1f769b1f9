"""`make soak`: a long run of mixed load at half of the peak rate, sampled every minute, to
show that nothing grows without bound.

First one minute flat out (as many order lives as 48 shoppers manage: place, read, cancel,
ship, return, exchange) gives the peak rate of this mix; then `--minutes` at half of it,
with a reader asking for reports and lists every second. Each minute it samples the RSS of
every process, the depth of every queue and dead-letter queue, the age of the oldest unsent
outbox row, and the p99 latency of the minute's requests. At the end the system drains and
the invariants of docs/architecture.md are checked as in `make chaos`.

    .venv/bin/python bench/soak.py [--minutes 30] [--backend sqlite|postgresql]

Writes var/soak-<time>.json and docs/soak.png, prints the per-minute table and each
process's RSS growth over the second half of the run.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from erp_shared.config import SERVICES
from erp_shared.messaging import outbox
from erp_testing import broker_url, throwaway_databases
from erp_testing.chaos import LIVES, Badge, Shopper, Tally, stock_the_shelves, verdict
from erp_testing.invariants import Databases, queue_depths
from erp_testing.processes import rss_by_process
from erp_testing.system import running_system

REPO = Path(__file__).resolve().parent.parent
PEAK_SHOPPERS = 48
REPORTS = ("/analytics/summary", "/analytics/sales?group_by=product", "/products", "/orders")


def outbox_age(databases: Databases) -> dict[str, float]:
    """Seconds the oldest unsent event of each service has waited."""
    now = datetime.now(UTC)
    ages = {}
    for service in SERVICES:
        oldest = databases.rows(
            service, select(func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
        )[0][0]
        ages[service] = 0.0 if oldest is None else round((now - oldest).total_seconds(), 1)
    return ages


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) >= 2 else 0.0


def paced(system, tally: Tally, rate: float, seconds: float, skus, customers) -> None:
    """Order lives started at `rate` per second (open loop) for `seconds`."""
    kinds, weights = list(LIVES), list(LIVES.values())
    local, badge = threading.local(), Badge(system)

    def one(kind: str) -> None:
        if not hasattr(local, "shopper"):
            local.shopper = Shopper(system, tally, badge)
        local.shopper.live(kind, random.choice(customers), skus)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=64) as pool:
        futures, n = [], 0
        while (elapsed := time.monotonic() - started) < seconds:
            due = int(elapsed * rate) + 1
            while n < due:
                futures.append(pool.submit(one, random.choices(kinds, weights)[0]))
                n += 1
            time.sleep(0.01)
        for future in futures:
            future.result()


def read_reports(system, tally: Tally, stop: threading.Event) -> None:
    reader = Shopper(system, tally, Badge(system))
    while not stop.wait(1.0):
        reader.call("GET", random.choice(REPORTS))


def soak(system, amqp_url: str, minutes: float, backend: str) -> dict:
    skus, customers = stock_the_shelves(system, skus=20, units=1_000_000, customers=50)
    started = time.monotonic()
    peak_tally = drive_for(system, 60, skus, customers)
    peak = len(peak_tally.placed) / (time.monotonic() - started)
    rate = peak / 2
    print(f"peak of the mix: {peak:.1f} order lives/s; soaking at {rate:.1f}/s", flush=True)

    tally, stop, samples = Tally(), threading.Event(), []
    databases = Databases(system)
    threading.Thread(target=read_reports, args=(system, tally, stop), daemon=True).start()
    load = threading.Thread(
        target=paced, args=(system, tally, rate, minutes * 60, skus, customers), daemon=True
    )
    soak_start = time.monotonic()
    load.start()
    while load.is_alive():
        load.join(timeout=60)
        now = time.monotonic()
        if samples and now - soak_start - samples[-1]["minute"] * 60 < 30:
            break  # the load ended just after the last sample
        window = [took for at, took in list(tally.latencies) if at > now - 60]
        sample = {
            "minute": round((now - soak_start) / 60, 1),
            "rss_mib": rss_by_process(system),
            "queues": queue_depths(system, amqp_url),
            "outbox_age_s": outbox_age(databases),
            "p99_ms": round(p99(window) * 1000, 1),
            "requests": len(window),
        }
        samples.append(sample)
        print(
            f"{sample['minute']:5.1f} min  rss {sum(sample['rss_mib'].values()):7.1f} MiB  "
            f"queued {sum(sample['queues'].values()):5d}  "
            f"outbox age {max(sample['outbox_age_s'].values()):5.1f}s  "
            f"p99 {sample['p99_ms']:7.1f} ms  requests {sample['requests']}",
            flush=True,
        )
    stop.set()
    databases.close()
    result = {
        "peak_lives_per_s": round(peak, 1),
        "rate_lives_per_s": round(rate, 1),
        "minutes": minutes,
        "backend": backend,
        "lives": dict(tally.lives),
        "samples": samples,
        "rss_growth_mib_per_min": growth(samples),
    }
    keep(result)  # before judging, so a failure there loses no samples
    judged = verdict(system, amqp_url, tally, [])
    print(judged.report())
    result["invariants"] = {
        f.invariant: {"held": f.held, "detail": f.detail} for f in judged.findings
    }
    result["held"] = judged.held
    keep(result)
    return result


def drive_for(system, seconds: float, skus, customers) -> Tally:
    """As many lives as PEAK_SHOPPERS manage in `seconds`, each starting another as soon
    as one ends (closed loop)."""
    tally, badge = Tally(), Badge(system)
    deadline = time.monotonic() + seconds

    def shop() -> None:
        shopper = Shopper(system, tally, badge)
        while time.monotonic() < deadline:
            kind = random.choices(list(LIVES), list(LIVES.values()))[0]
            shopper.live(kind, random.choice(customers), skus)

    with ThreadPoolExecutor(max_workers=PEAK_SHOPPERS) as pool:
        for done in [pool.submit(shop) for _ in range(PEAK_SHOPPERS)]:
            done.result()
    return tally


def growth(samples: list[dict]) -> dict[str, float]:
    """Each process's RSS trend over the second half of the run, MiB per minute (least
    squares): a process that leaks shows a steady positive slope."""
    half = samples[len(samples) // 2 :]
    if len({s["minute"] for s in half}) < 2:
        return {}
    minutes = [s["minute"] for s in half]
    return {
        name: round(statistics.linear_regression(minutes, [s["rss_mib"][name] for s in half])[0], 2)
        for name in half[0]["rss_mib"]
    }


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples = result["samples"]
    minutes = [s["minute"] for s in samples]
    figure, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    rss, queued, age, latency = axes.flat
    for name in samples[0]["rss_mib"]:
        rss.plot(minutes, [s["rss_mib"][name] for s in samples], label=name)
    rss.set(title="RSS per process (MiB)")
    rss.legend(fontsize=6, ncol=2)
    queued.plot(minutes, [sum(s["queues"].values()) for s in samples])
    queued.set(title="messages in queues and DLQs")
    age.plot(minutes, [max(s["outbox_age_s"].values()) for s in samples])
    age.set(title="oldest unsent outbox event (s)")
    latency.plot(minutes, [s["p99_ms"] for s in samples])
    latency.set(title="p99 request latency (ms)")
    for axis in axes.flat:
        axis.set_ylim(bottom=0)
    for axis in (age, latency):
        axis.set_xlabel("minute")
    figure.suptitle(
        f"Soak: {result['minutes']} min at {result['rate_lives_per_s']} order lives/s "
        f"(half of the peak {result['peak_lives_per_s']}/s), {result['backend']}, 2 cores"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=90)


STAMP = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def keep(result: dict) -> None:
    """The run's JSON under var/ and its chart in docs/."""
    (REPO / "var" / f"soak-{STAMP}.json").write_text(json.dumps(result, indent=2))
    plot(result, REPO / "docs" / "soak.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    options = parser.parse_args()
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        sys.exit("matplotlib is missing: `make soak` installs requirements-soak.txt")
    amqp_url = broker_url()
    with (
        throwaway_databases("erp_soak") as new_database,
        running_system(
            REPO / "var" / f"soak-{STAMP}",
            amqp_url,
            new_database if options.backend == "postgresql" else None,
            GATEWAY_RATE_LIMIT="1000000/minute",
        ) as system,
    ):
        result = soak(system, amqp_url, options.minutes, options.backend)
    print("RSS growth over the second half, MiB/min:", result["rss_growth_mib_per_min"])
    return 0 if result["held"] else 1


if __name__ == "__main__":
    sys.exit(main())
