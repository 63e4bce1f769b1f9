"""The whole system as local processes, started by deploy/local/erpctl.py and driven over HTTP.

The end-to-end tests and the benchmark share this, so both exercise what an operator runs.
Each running system gets its own ports, var directory, exchange prefix and (optionally)
PostgreSQL databases, so a developer's `make up` on the default ports is never disturbed.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from erp_shared.config import APPS, SERVICES, worker_port
from erp_testing import delete_topology, keys_for_tests, unique, wait_for

ROOT = Path(__file__).resolve().parents[2]
ERPCTL = ROOT / "deploy" / "local" / "erpctl.py"
ADMIN_PASSWORD = "e2e-root-password-1"
TOKEN_REUSE_SECONDS = 600
SETTLED = ("confirmed", "rejected")


class SystemFailed(Exception):
    """The system did not start, or a setup call it must answer failed."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_worker_base(copies: int = 3) -> int:
    """A base port whose worker ports (erp_shared.config.worker_port) are all free: the
    services' workers' and the gateway's webhook worker's."""
    for _ in range(50):
        base = random.randrange(20000, 40000, 100)
        ports = [worker_port(base, app, copy) for app in APPS for copy in range(copies)]
        try:
            for port in ports:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free block of worker ports")


class System:
    """A running system seen from outside: its gateway, its processes' logs, setup calls."""

    def __init__(self, var_dir: Path, env: dict[str, str]):
        self.var_dir = var_dir
        self.env = env
        self.gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
        self.http = httpx.Client(base_url=self.gateway, timeout=30)
        self._token: str | None = None
        self._token_at = 0.0

    def ctl(self, command: str) -> None:
        done = subprocess.run(
            [sys.executable, str(ERPCTL), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            raise SystemFailed(
                f"erpctl {command} failed:\n{done.stdout}\n{done.stderr}\n{self.logs()}"
            )

    def logs(self, name: str | None = None) -> str:
        files = sorted((self.var_dir / "log").glob(f"{name or '*'}.log"))
        return "\n".join(f"--- {f.name}\n{f.read_text()[-3000:]}" for f in files)

    def pid_file(self, name: str) -> Path:
        """Where erpctl keeps the pid of one process (an app's gunicorn master, a worker)."""
        return self.var_dir / "run" / f"{name}.pid"

    def database_url(self, app: str) -> str:
        """The app's database, as its processes find it (erp_shared.config.Settings)."""
        return self.env.get(f"{app.upper()}_DATABASE_URL") or f"sqlite:///{self.var_dir}/{app}.db"

    def port(self, app: str) -> int:
        return int(self.env[f"{app.upper()}_PORT"])

    def worker_port(self, service: str, copy: int = 0) -> int:
        return worker_port(int(self.env["ERP_WORKER_BASE_PORT"]), service, copy)

    @property
    def token(self) -> str:
        """An admin's access token, taken again before it expires (it lasts 15 minutes)."""
        if self._token is None or time.monotonic() - self._token_at > TOKEN_REUSE_SECONDS:
            self._token, self._token_at = self.sign_in(), time.monotonic()
        return self._token

    def sign_in(self) -> str:
        """A new access token for the admin."""
        answer = httpx.post(
            f"{self.gateway}/api/v1/auth/token",
            json={"username": "admin", "password": ADMIN_PASSWORD},
            timeout=30,
        )
        self._must(answer)
        return answer.json()["access_token"]

    @property
    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, headers: dict | None = None, **kwargs) -> httpx.Response:
        headers = {**self.auth, **(headers or {})}
        return self.http.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    @staticmethod
    def _must(answer: httpx.Response) -> None:
        if not answer.is_success:
            raise SystemFailed(
                f"{answer.request.method} {answer.request.url} -> {answer.status_code}: "
                f"{answer.text[:300]}"
            )

    def create_stocked_product(self, sku: str, quantity: int, price: str = "149.00") -> None:
        self._must(
            self.call("POST", "/products", json={"sku": sku, "name": sku, "unit_price": price})
        )
        line = {"sku": sku, "quantity": quantity, "unit_cost": "80.00"}
        self._must(self.call("POST", "/receipts", json={"lines": [line]}))

    def create_customer(self) -> str:
        body = {"name": "Ada Lovelace", "email": f"{unique('ada-')}@example.com"}
        answer = self.call("POST", "/customers", json=body)
        self._must(answer)
        return answer.json()["id"]

    @staticmethod
    def order_body(customer_id: str, sku: str, quantity: int, lines: int = 1) -> dict:
        """An order of `lines` lines of `quantity` each; line i > 0 names `sku-i`."""
        skus = [sku] + [f"{sku}-{i}" for i in range(1, lines)]
        return {
            "customer_id": customer_id,
            "channel": "web",
            "lines": [{"sku": s, "quantity": quantity} for s in skus],
        }

    def place_order(self, customer_id: str, sku: str, quantity: int, **headers) -> httpx.Response:
        return self.http.post(
            "/api/v1/orders",
            headers={**self.auth, **headers},
            json=self.order_body(customer_id, sku, quantity),
        )

    def place_first_order(self, customer_id: str, sku: str, quantity: int, lines: int = 1) -> dict:
        """Until the orders service has heard of a new product and customer (eventual
        consistency), it answers 422: retry only that."""
        body = self.order_body(customer_id, sku, quantity, lines)
        answer = wait_for(
            lambda: (r := self.call("POST", "/orders", json=body)).status_code != 422 and r,
            timeout=15,
            interval=0.1,
        )
        self._must(answer)
        return answer.json()

    def order(self, order_id: str) -> dict:
        answer = self.call("GET", f"/orders/{order_id}")
        self._must(answer)
        return answer.json()

    def settled(self, order_id: str) -> dict | None:
        order = self.order(order_id)
        return order if order["status"] in SETTLED else None

    def decisions(self, order_ids: list[str], timeout: float = 60) -> list[str]:
        """Wait until every order is confirmed or rejected; their statuses, in order."""

        def statuses():
            found = [self.order(order_id)["status"] for order_id in order_ids]
            return found if all(status in SETTLED for status in found) else None

        decided = wait_for(statuses, timeout=timeout, interval=0.25)
        if decided is None:
            raise SystemFailed(f"orders still undecided after {timeout}s")
        return decided

    def stock(self, sku: str) -> dict:
        return self.call("GET", f"/stock/{sku}").json()


def system_environment(var_dir: Path, amqp_url: str, **extra) -> dict[str, str]:
    """Ports, var dir, bus prefix and secrets of one isolated system."""
    return {
        **os.environ,
        "ERP_VAR_DIR": str(var_dir),
        "ERP_ENV": "development",
        "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        # The gateway signs with the tests' key, so `bearer()` tokens hold everywhere; the
        # services read its public keys from a file, as deployed.
        "ERP_JWT_KEYS_DIR": str(keys_for_tests()),
        "ERP_JWKS_URL": (keys_for_tests() / "jwks.json").as_uri(),
        "ERP_BUS_PREFIX": f"e2e-{unique()}.",
        "AMQP_URL": amqp_url,
        "ERP_WORKER_BASE_PORT": str(free_worker_base()),
        "ERP_READY_TIMEOUT": "120",
        **{f"{app.upper()}_PORT": str(free_port()) for app in APPS},
        **extra,
    }


def copies_environment(copies: int) -> dict[str, str]:
    """`copies` processes of every app and workers of every service, as that many replicas of
    each deployment would run: competing consumers on each queue, requests spread by the
    kernel over the app's processes."""
    if copies == 1:
        return {}
    return {
        "WEB_CONCURRENCY": str(copies),
        **{f"{service.upper()}_WORKERS": str(copies) for service in SERVICES},
    }


@contextlib.contextmanager
def running_system(
    var_dir: Path,
    amqp_url: str,
    new_database: Callable[[], str] | None = None,
    broker_url: str | None = None,
    **extra,
):
    """Start every process on SQLite, or on PostgreSQL when `new_database` makes databases.

    `broker_url` is where the processes reach the broker (a test may put a proxy there);
    `amqp_url` is where the topology is cleaned up afterwards.
    """
    env = system_environment(var_dir, broker_url or amqp_url, **extra)
    if new_database is not None:
        for app in APPS:
            env[f"{app.upper()}_DATABASE_URL"] = new_database()
    system = System(var_dir, env)
    try:
        system.ctl("up")
        yield system
    finally:
        system.ctl("down")
        delete_topology(amqp_url, env["ERP_BUS_PREFIX"])
