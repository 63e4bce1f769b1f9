"""Benchmark: webhook deliveries per second and their lag, at 100 confirmed orders a second.

`make bench` runs it (or `.venv/bin/python bench/webhook_deliveries.py [--postgres]`). It
starts the system as `make up` does (erp_testing.system, the webhook worker included),
subscribes a receiver on 127.0.0.1 to `order.confirmed` through the gateway, and then, open
loop, publishes --rate (100) `order.confirmed` events a second for --duration (20) seconds.

The events go straight to the webhook worker's queue (RabbitMQ's default exchange, routed by
the queue's name), with the envelope and properties a service's outbox relay gives them: the
system saturates near 55 placed orders a second on two cores (docs/performance.md), so
placing 100 would measure the order saga, not the webhooks, and through the events exchange
the services' own workers would handle confirmations of orders they never placed.

The generator stamps each event's `occurred_at` as it publishes it; the receiver notes the
wall-clock time each delivery arrives and answers 204, nothing else. Only once every event
has arrived (or --settle-timeout passed) are the figures read from those times: nothing
polls the system while it is measured. Reported: events published and deliveries received
per second, lag (occurred -> received) p50/p99/max, deliveries missing or repeated, CPU
milliseconds per delivery by process (RabbitMQ and PostgreSQL included), and the CPU the
generator's thread and the receiver used. Printed, never asserted; written to bench/results/
(git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pika

from erp_shared.events import new_event
from erp_testing import broker_url, throwaway_databases, wait_for
from erp_testing.processes import cpu_by_process, cpu_by_server
from erp_testing.system import SystemFailed, running_system
from erp_testing.webhook_receiver import Receiver

REPO = Path(__file__).resolve().parent.parent
EVENT = "order.confirmed"


def nearest_rank(values: list[float], share: float) -> float:
    """A time that was actually observed: the nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def confirmation(order_id: str) -> dict:
    return new_event(EVENT, {"order_id": order_id, "reason": None}, producer="orders")


def publish(channel, queue: str, envelope: dict) -> None:
    """As orders' outbox relay publishes an event, but to the one queue."""
    properties = pika.BasicProperties(
        content_type="application/json",
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=envelope["id"],
        type=envelope["type"],
        correlation_id=envelope["correlation_id"],
        app_id="orders",
    )
    channel.basic_publish("", queue, json.dumps(envelope).encode(), properties)


def open_loop(channel, queue: str, rate: float, seconds: float) -> dict:
    """Each event at its moment, start + i / rate, whatever the system does; what it cost
    this thread (the receiver's threads are not counted) and how late it ran at worst."""
    count = round(rate * seconds)
    thread_cpu = time.thread_time()
    started = time.perf_counter() + 0.05
    late = 0.0
    for index in range(count):
        due = started + index / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        late = max(late, time.perf_counter() - due)
        publish(channel, queue, confirmation(f"bench-{uuid.uuid4().hex[:12]}"))
    return {
        "published": count,
        "seconds": time.perf_counter() - started,
        "generator_cpu_seconds": time.thread_time() - thread_cpu,
        "late_ms_max": round(late * 1000, 1),
    }


def warm_up(channel, queue: str, receiver: Receiver) -> None:
    """One event through before the clock starts: connections open, the queue consumed."""
    publish(channel, queue, confirmation("bench-warm-up"))
    if not wait_for(lambda: receiver.received, timeout=60, interval=0.2):
        raise SystemFailed("the warm-up event never reached the receiver")
    receiver.received.clear()


def measure(system, args) -> dict:
    queue = f"{system.env['ERP_BUS_PREFIX']}gateway.webhooks"
    connection = pika.BlockingConnection(pika.URLParameters(broker_url()))
    channel = connection.channel()
    with Receiver() as receiver:
        made = system.call("POST", "/webhooks", json={"url": receiver.url, "events": [EVENT]})
        if made.status_code != 201:
            raise SystemFailed(f"subscribing failed: {made.status_code} {made.text[:200]}")
        warm_up(channel, queue, receiver)
        cpu_before = {**cpu_by_process(system), **cpu_by_server()}
        process_cpu = time.process_time()
        sent = open_loop(channel, queue, args.rate, args.duration)
        wait_for(lambda: len(receiver.received) >= sent["published"], args.settle_timeout, 0.2)
        cpu_after = {**cpu_by_process(system), **cpu_by_server()}
        receiver_cpu = time.process_time() - process_cpu - sent["generator_cpu_seconds"]
        arrivals = list(receiver.received)
    connection.close()
    ids = [arrival.headers["webhook-id"] for arrival in arrivals]
    lags_ms = [arrival.lag * 1000 for arrival in arrivals]
    first_occurred = min(arrival.arrived_at - arrival.lag for arrival in arrivals)
    span = max(arrival.arrived_at for arrival in arrivals) - first_occurred
    delivered = len(set(ids))
    cpu_ms = {
        name: round((cpu_after[name] - cpu_before.get(name, 0.0)) * 1000 / max(delivered, 1), 2)
        for name in cpu_after
        if cpu_after[name] - cpu_before.get(name, 0.0) > 0.005
    }
    return {
        "published_per_second": round(sent["published"] / sent["seconds"], 1),
        "delivered": delivered,
        "missing": sent["published"] - delivered,
        "repeated": len(ids) - delivered,
        "delivered_per_second": round(delivered / span, 1),
        "lag_ms": {
            "p50": round(nearest_rank(lags_ms, 0.50), 1),
            "p99": round(nearest_rank(lags_ms, 0.99), 1),
            "max": round(max(lags_ms), 1),
        },
        "cpu_ms_per_delivery": {**cpu_ms, "total": round(sum(cpu_ms.values()), 2)},
        "generator_cpu_share_of_one_core": round(
            sent["generator_cpu_seconds"] / sent["seconds"], 3
        ),
        "receiver_cpu_share_of_one_core": round(receiver_cpu / sent["seconds"], 3),
        "generator_late_ms_max": sent["late_ms_max"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="events a second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of arrivals")
    parser.add_argument("--settle-timeout", type=float, default=120.0)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    var_dir = REPO / "var" / f"bench-webhooks-{stamp}"
    try:
        with (
            throwaway_databases("erp_bench") as new_database,
            running_system(
                var_dir, broker_url(), new_database if args.postgres else None
            ) as system,
        ):
            print(f"system up at {system.gateway} (var {var_dir})", flush=True)
            figures = measure(system, args)
    except (SystemFailed, OSError) as exc:
        print(f"setup failed: {exc}", file=sys.stderr)
        return 2
    # Kept only when setup failed: its logs say why.
    shutil.rmtree(var_dir, ignore_errors=True)
    backend = "postgresql" if args.postgres else "sqlite"
    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": vars(args),
        "machine": {"cpu_count": os.cpu_count(), "python": platform.python_version()},
        "backend": backend,
        **figures,
    }
    print(
        f"{backend}: {figures['published_per_second']} events/s published, "
        f"{figures['delivered_per_second']} deliveries/s, lag p50 {figures['lag_ms']['p50']} ms "
        f"p99 {figures['lag_ms']['p99']} ms max {figures['lag_ms']['max']} ms; "
        f"{figures['missing']} missing, {figures['repeated']} repeated"
    )
    print(f"CPU ms per delivery: {figures['cpu_ms_per_delivery']}")
    print(
        f"generator {figures['generator_cpu_share_of_one_core']:.1%} of a core, receiver "
        f"{figures['receiver_cpu_share_of_one_core']:.1%}"
    )
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    output = results / f"webhook_deliveries-{backend}-{stamp}.json"
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {output}")
    return 1 if figures["missing"] else 0


if __name__ == "__main__":
    sys.exit(main())
