"""The real system for end-to-end tests: every process started by deploy/local/erpctl.py.

Each test gets its own ports, var directory, exchange prefix and databases, so a developer's
`make up` on the default ports and a parallel test run are never disturbed.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from erp_shared.testing import delete_topology, unique, wait_until

ROOT = Path(__file__).resolve().parents[2]
ERPCTL = ROOT / "deploy" / "local" / "erpctl.py"
ADMIN_PASSWORD = "e2e-admin-password"
SERVICES = ("gateway", "crm", "orders", "inventory", "analytics")
SETTLED = ("confirmed", "rejected")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_worker_base() -> int:
    """A base port whose worker ports (base + 10*i + copy) are all free."""
    for _ in range(50):
        base = random.randrange(20000, 40000, 100)
        ports = [base + 10 * index + copy for index in range(1, 5) for copy in range(3)]
        try:
            for port in ports:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free block of worker ports")


class System:
    def __init__(self, var_dir: Path, env: dict[str, str]):
        self.var_dir = var_dir
        self.env = env
        self.gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
        self.http = httpx.Client(base_url=self.gateway, timeout=30)
        self._token: str | None = None

    def ctl(self, command: str) -> None:
        done = subprocess.run(
            [sys.executable, str(ERPCTL), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            pytest.fail(f"erpctl {command} failed:\n{done.stdout}\n{done.stderr}\n{self.logs()}")

    def logs(self, name: str | None = None) -> str:
        files = sorted((self.var_dir / "log").glob(f"{name or '*'}.log"))
        return "\n".join(f"--- {f.name}\n{f.read_text()[-3000:]}" for f in files)

    def port(self, service: str) -> int:
        return int(self.env[f"{service.upper()}_PORT"])

    def worker_port(self, index: int) -> int:
        return int(self.env["ERP_WORKER_BASE_PORT"]) + 10 * index

    @property
    def auth(self) -> dict:
        if self._token is None:
            answer = self.http.post(
                "/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            self._token = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def call(self, method: str, path: str, **kwargs) -> httpx.Response:
        return self.http.request(method, f"/api/v1{path}", headers=self.auth, **kwargs)

    def create_stocked_product(self, sku: str, quantity: int, price: str = "149.00") -> None:
        answer = self.call("POST", "/products", json={"sku": sku, "name": sku, "unit_price": price})
        assert answer.status_code == 201, answer.text
        answer = self.call(
            "POST",
            "/receipts",
            json={"lines": [{"sku": sku, "quantity": quantity, "unit_cost": "80.00"}]},
        )
        assert answer.status_code == 201, answer.text

    def create_customer(self) -> str:
        answer = self.call(
            "POST",
            "/customers",
            json={"name": "Ada Lovelace", "email": f"{unique('ada-')}@example.com"},
        )
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def place_order(self, customer_id: str, sku: str, quantity: int, **headers) -> httpx.Response:
        return self.http.post(
            "/api/v1/orders",
            headers={**self.auth, **headers},
            json={
                "customer_id": customer_id,
                "channel": "web",
                "lines": [{"sku": sku, "quantity": quantity}],
            },
        )

    def place_first_order(self, customer_id: str, sku: str, quantity: int) -> dict:
        """Until the orders service has heard of a new product and customer (eventual
        consistency), it answers 422: retry only that."""
        answer = wait_until(
            lambda: (r := self.place_order(customer_id, sku, quantity)).status_code != 422 and r,
            timeout=15,
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def order(self, order_id: str) -> dict:
        answer = self.call("GET", f"/orders/{order_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def settled(self, order_id: str) -> dict | None:
        order = self.order(order_id)
        return order if order["status"] in SETTLED else None

    def decisions(self, order_ids: list[str], timeout: float = 60) -> list[str]:
        """Wait until every order is confirmed or rejected; their statuses, in order."""

        def statuses():
            found = [self.order(order_id)["status"] for order_id in order_ids]
            return found if all(status in SETTLED for status in found) else None

        return wait_until(statuses, timeout=timeout, interval=0.25)

    def stock(self, sku: str) -> dict:
        return self.call("GET", f"/stock/{sku}").json()


@contextlib.contextmanager
def running_system(var_dir: Path, amqp_url: str, new_database=None, broker_url=None, **extra):
    """Start every process on SQLite, or on PostgreSQL when `new_database` makes databases."""
    prefix = f"e2e-{unique()}."
    env = {
        **os.environ,
        "ERP_VAR_DIR": str(var_dir),
        "ERP_ENV": "development",
        "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ERP_JWT_SECRET": unique("secret-") * 4,
        "ERP_BUS_PREFIX": prefix,
        "AMQP_URL": broker_url or amqp_url,
        "ERP_WORKER_BASE_PORT": str(free_worker_base()),
        "ERP_READY_TIMEOUT": "120",
        **{f"{service.upper()}_PORT": str(free_port()) for service in SERVICES},
        **extra,
    }
    if new_database is not None:
        for service in SERVICES:
            env[f"{service.upper()}_DATABASE_URL"] = new_database()
    system = System(var_dir, env)
    try:
        system.ctl("up")
        yield system
    finally:
        system.ctl("down")
        delete_topology(amqp_url, prefix)


@pytest.fixture(scope="module")
def system(tmp_path_factory, amqp_url):
    """One system on SQLite shared by a module's tests; each uses its own products."""
    with running_system(tmp_path_factory.mktemp("system"), amqp_url) as system:
        yield system


@pytest.fixture
def start_system(tmp_path, databases, amqp_url):
    """Returns a function that starts the system on the given backend and broker URL."""
    with contextlib.ExitStack() as stack:

        def start(backend: str = "sqlite", broker_url: str | None = None, **extra) -> System:
            new_database = (
                (lambda: databases.new("postgresql")) if backend == "postgresql" else None
            )
            var_dir = tmp_path / unique("var-")
            return stack.enter_context(
                running_system(var_dir, amqp_url, new_database, broker_url, **extra)
            )

        yield start
