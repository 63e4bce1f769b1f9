"""`make chaos`: rounds of thousands of orders through every kind of life (erp_testing.chaos)
while faults strike at random moments, then the invariants of docs/architecture.md checked once
the system has drained.

The faults, one every 4-10 seconds while the load runs: RabbitMQ's application stopped and
started again (`rabbitmqctl stop_app` / `start_app`: every connection of this machine's
broker drops), a worker of a random service killed with SIGKILL and started again, a
gunicorn worker of a random app killed with SIGKILL (its master starts another), every
PostgreSQL connection of the system terminated.

    .venv/bin/python bench/chaos.py [--rounds 3] [--orders 3000] [--backend postgresql|sqlite]
                                    [--copies 2]

Prints each round's verdict, writes them to var/chaos-<time>.json and exits non-zero when
an invariant broke in any round. A 5xx answer is listed with its request id, and the services'
logs are then kept beside the report to find it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from erp_shared.config import APPS, SERVICES
from erp_testing import broker_url, throwaway_databases
from erp_testing.chaos import chaos_run
from erp_testing.faults import (
    kill_a_gunicorn_worker,
    kill_and_relaunch,
    restart_broker_app,
    terminate_connections,
)
from erp_testing.system import copies_environment, running_system

REPO = Path(__file__).resolve().parent.parent


def random_faults(system, backend: str, copies: int):
    """A fault every few seconds until the load is done; what happened, with its time."""

    def strike(done: threading.Event) -> list[str]:
        started, happened = time.monotonic(), []
        kinds = ["broker", "worker", "gunicorn"] + (["database"] if backend == "postgresql" else [])
        while not done.wait(random.uniform(4, 10)):
            kind = random.choice(kinds)
            at = f"{time.monotonic() - started:5.1f}s"
            if kind == "broker":
                down = random.uniform(2, 6)
                restart_broker_app(down)
                happened.append(f"{at} broker stopped {down:.1f}s")
            elif kind == "worker":
                service, copy = random.choice(SERVICES), random.randrange(copies)
                worker = f"{service}-worker" + (f"-{copy + 1}" if copy else "")
                kill_and_relaunch(system, worker)
                happened.append(f"{at} {worker} killed")
            elif kind == "gunicorn":
                app = random.choice(APPS)
                kill_a_gunicorn_worker(system, app)
                happened.append(f"{at} {app} gunicorn worker killed")
            else:
                happened.append(f"{at} {terminate_connections(system)} db connections terminated")
        return happened

    return strike


def one_round(number: int, orders: int, backend: str, copies: int, scratch: Path) -> dict:
    amqp_url = broker_url()
    started = time.monotonic()
    with (
        throwaway_databases("erp_chaos") as new_database,
        running_system(
            scratch / f"round-{number}",
            amqp_url,
            new_database if backend == "postgresql" else None,
            GATEWAY_RATE_LIMIT="1000000/minute",
            **copies_environment(copies),
        ) as system,
    ):
        verdict = chaos_run(system, amqp_url, orders, random_faults(system, backend, copies))
    took = time.monotonic() - started
    print(f"\n== round {number} ({backend}, {copies} copies, {orders} orders, {took:.0f}s)")
    print(verdict.report(), flush=True)
    return {
        "round": number,
        "backend": backend,
        "copies": copies,
        "held": verdict.held,
        "seconds": round(time.monotonic() - started, 1),
        "drain_seconds": round(verdict.drain_seconds, 1),
        "lives": dict(verdict.tally.lives),
        "statuses": dict(verdict.tally.outcomes),
        "retried_requests": verdict.tally.retries,
        "server_errors": verdict.tally.failures,
        "faults": verdict.faults,
        "invariants": {f.invariant: {"held": f.held, "detail": f.detail} for f in verdict.findings},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument(
        "--copies", type=int, default=1, help="processes per app and workers per service"
    )
    options = parser.parse_args()
    if shutil.which("rabbitmqctl") is None:
        sys.exit("rabbitmqctl is not on PATH: make chaos restarts this machine's RabbitMQ")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"chaos-{stamp}"
    rounds = [
        one_round(n, options.orders, options.backend, options.copies, scratch)
        for n in range(1, options.rounds + 1)
    ]
    report = {"machine": {"cpus": os.cpu_count()}, "rounds": rounds}
    (REPO / "var" / f"chaos-{stamp}.json").write_text(json.dumps(report, indent=2))
    if any(r["server_errors"] for r in rounds):  # the logs that tell what each was
        print(f"server errors: the services' logs are kept in {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    held = all(r["held"] for r in rounds)
    print(f"\n{len(rounds)} rounds: {'every invariant held' if held else 'an invariant broke'}")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
