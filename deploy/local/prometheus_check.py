"""Point a real Prometheus at the system `make up` started and report what it sees.

    make up
    .venv/bin/python deploy/local/prometheus_check.py [--wait 60] [--rabbitmq 127.0.0.1:15692]

Starts the `prometheus` binary (Debian's `prometheus` package) on a free local port with a
throw-away configuration: every process erpctl starts as a target (the same list and ports
erpctl uses, so ERP_WORKER_BASE_PORT, <SERVICE>_PORT and <SERVICE>_WORKERS are honoured), the
repository's recording and alert rules (deploy/prometheus/rules), a 5 s scrape and evaluation
interval. Business figures exist only once there is business, so it then does a little, as
admin (ERP_ADMIN_PASSWORD, else the password erpctl wrote): a product of its own with 5 in
stock, a customer, three orders (one takes the last units, a stock-out; the last is rejected,
a reservation conflict), the first shipped (an invoice), and a few reads. `--no-orders` leaves
the system as it is.

Once every target has been scraped a few times it prints each target's health, each
recording rule with the number of series it produces, each alert's state, and which of the
series the rules and dashboards read (deploy/prometheus/metrics.yml) no process exposes yet.
It exits 1 if a target is down or a rule fails to evaluate, then stops Prometheus and deletes
its data. A recording rule without series is reported, not failed: it reads a series some
process does not expose (yet).

Every process erpctl starts keeps its own metrics folder, as in a container, so the app's and
the worker's /metrics are summed without counting anything twice.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PROMETHEUS_DIR = HERE.parent / "prometheus"
sys.path.insert(0, str(HERE))

from erpctl import processes, var_dir  # noqa: E402  (erpctl lives beside this script)

from erp_shared.config import app_port  # noqa: E402

INTERVAL = 5
SCRAPES_BEFORE_REPORT = 4


def targets() -> list[dict]:
    """One scrape target per process erpctl starts: job, host:port, process name."""
    listed = []
    for process in processes(dict(os.environ)):
        address = urllib.parse.urlsplit(process["ready"]).netloc
        job = f"erp-{process['kind']}"
        listed.append({"job": job, "address": address, "process": process["name"]})
    return listed


def configuration(listed: list[dict], rabbitmq: str | None) -> dict:
    jobs = {}
    for target in listed:
        jobs.setdefault(target["job"], []).append(
            # A `process` label, never `service`: ERP series carry their own.
            {"targets": [target["address"]], "labels": {"process": target["process"]}}
        )
    scrape_configs = [{"job_name": job, "static_configs": groups} for job, groups in jobs.items()]
    if rabbitmq:
        scrape_configs.append({"job_name": "rabbitmq", "static_configs": [{"targets": [rabbitmq]}]})
        scrape_configs.append(
            {
                "job_name": "rabbitmq-queues",
                "metrics_path": "/metrics/per-object",
                "static_configs": [{"targets": [rabbitmq]}],
            }
        )
    return {
        "global": {"scrape_interval": f"{INTERVAL}s", "evaluation_interval": f"{INTERVAL}s"},
        "rule_files": [str(path) for path in sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))],
        "scrape_configs": scrape_configs,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api(base: str, path: str, **query) -> dict:
    url = f"{base}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.load(answer)["data"]


def wait_until_ready(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"prometheus exited:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/-/ready", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("prometheus did not become ready in 30s")


def wait_for_scrapes(base: str, wait: float) -> list[dict]:
    """Until every target is up and scraped a few times since, or `wait` seconds pass."""
    deadline = time.monotonic() + wait
    all_up_since = None
    while True:
        active = api(base, "/api/v1/targets")["activeTargets"]
        every_up = active and all(target["health"] == "up" for target in active)
        if every_up and all_up_since is None:
            all_up_since = time.monotonic()
        if not every_up:
            all_up_since = None
        settled = (
            all_up_since and time.monotonic() - all_up_since >= INTERVAL * SCRAPES_BEFORE_REPORT
        )
        if settled or time.monotonic() >= deadline:
            return active
        time.sleep(1)


def call(method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
    """One request to the gateway's API; a 4xx or 5xx raises HTTPError."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{app_port('gateway')}/api/v1{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def place(token: str, order: dict) -> dict:
    """Orders learns of a new product and customer from events: a 422 passes in a moment."""
    deadline = time.monotonic() + 15
    while True:
        try:
            return call("POST", "/orders", order, token)
        except urllib.error.HTTPError as error:
            if error.code != 422 or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def decided(token: str, order_id: str) -> dict:
    deadline = time.monotonic() + 15
    while True:
        order = call("GET", f"/orders/{order_id}", token=token)
        if order["status"] != "pending" or time.monotonic() > deadline:
            return order
        time.sleep(0.3)


def do_business() -> None:
    password = os.environ.get("ERP_ADMIN_PASSWORD") or (var_dir() / "admin-password").read_text()
    credentials = {"username": "admin", "password": password.strip()}
    token = call("POST", "/auth/token", credentials)["access_token"]
    tag = uuid.uuid4().hex[:8]
    sku = f"CHECK-{tag}"
    call(
        "POST", "/products", {"sku": sku, "name": "Prometheus check", "unit_price": "10.00"}, token
    )
    receipt = {"lines": [{"sku": sku, "quantity": 5, "unit_cost": "6.00"}]}
    call("POST", "/receipts", receipt, token)
    customer = {"name": "Prometheus Check", "email": f"check-{tag}@example.com"}
    customer_id = call("POST", "/customers", customer, token)["id"]
    outcomes = []
    for channel, quantity in (("web", 2), ("phone", 3), ("web", 1)):
        order = {
            "customer_id": customer_id,
            "channel": channel,
            "lines": [{"sku": sku, "quantity": quantity}],
        }
        outcomes.append(decided(token, place(token, order)["id"]))
    if outcomes[0]["status"] == "confirmed":
        call("POST", f"/orders/{outcomes[0]['id']}/ship", {}, token)
    for path in (
        "/customers",
        f"/stock/{sku}",
        f"/orders?customer_id={customer_id}",
        "/analytics/summary",
    ):
        call("GET", path, token=token)
    print("orders: " + ", ".join(f"{o['channel']} {o['status']}" for o in outcomes) + f" ({sku})")


def report(base: str, active: list[dict]) -> bool:
    ok = True
    up = sum(target["health"] == "up" for target in active)
    print(f"targets: {up}/{len(active)} up")
    for target in sorted(active, key=lambda t: (t["labels"]["job"], t["labels"]["instance"])):
        labels = target["labels"]
        line = f"  {target['health']:<7} {labels['job']:<15} {labels['instance']:<21}"
        print(line + f" {labels.get('process', '')} {target.get('lastError', '')}".rstrip())
        ok &= target["health"] == "up"

    groups = api(base, "/api/v1/rules")["groups"]
    recording = [rule for group in groups for rule in group["rules"] if rule["type"] == "recording"]
    producing = 0
    lines = []
    for rule in recording:
        count = len(api(base, "/api/v1/query", query=rule["name"])["result"])
        producing += count > 0
        state = "error" if rule["health"] == "err" else ("ok" if count else "no data")
        lines.append(f"  {state:<8} {rule['name']:<58} {count} series {rule.get('lastError', '')}")
        ok &= rule["health"] != "err"
    print(f"recording rules: {producing}/{len(recording)} producing series")
    print("\n".join(line.rstrip() for line in lines))

    alerts = [rule for group in groups for rule in group["rules"] if rule["type"] == "alerting"]
    print("alerts: " + ", ".join(f"{rule['name']} {rule['state']}" for rule in alerts))
    ok &= all(rule["health"] != "err" for rule in alerts)

    present = set(api(base, "/api/v1/label/__name__/values"))
    listed = yaml.safe_load((PROMETHEUS_DIR / "metrics.yml").read_text())
    for source in ("erp", "process"):
        names = sorted(listed[source])
        missing = [name for name in names if not ({name, f"{name}_bucket"} & present)]
        print(f"{source} series exposed: {len(names) - len(missing)}/{len(names)}")
        for name in missing:
            print(f"  missing  {name}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for targets")
    parser.add_argument("--rabbitmq", help="host:port of the broker's Prometheus plugin")
    parser.add_argument("--no-orders", action="store_true", help="place no orders")
    options = parser.parse_args()
    binary = shutil.which("prometheus")
    if binary is None:
        print("prometheus is not on PATH: install Debian's `prometheus` package", file=sys.stderr)
        return 2
    listed = targets()
    with tempfile.TemporaryDirectory(prefix="erp-prometheus-") as scratch:
        folder = Path(scratch)
        config = folder / "prometheus.yml"
        # JSON is YAML: no YAML writer needed.
        config.write_text(json.dumps(configuration(listed, options.rabbitmq), indent=2))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = folder / "prometheus.log"
        with open(log, "wb") as output:
            server = subprocess.Popen(
                [
                    binary,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={folder / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    "--log.level=warn",
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            wait_until_ready(base, server, log)
            version = api(base, "/api/v1/status/buildinfo")["version"]
            print(f"prometheus {version} on {base}, scraping every {INTERVAL}s")
            if not options.no_orders:
                do_business()
            ok = report(base, wait_for_scrapes(base, options.wait))
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    print("OK" if ok else "FAILED: a target is down or a rule does not evaluate")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
