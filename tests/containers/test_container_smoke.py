"""The system as the images run it: `make test-containers` builds them (`make images`), starts
them (`make up-containers`) and runs this against the containerised gateway, then stops them.

What an operator relies on from the compose file is checked on the running containers
themselves: the uid, the read-only root filesystem, the health check, JSON logs on stdout, and
a stop on SIGTERM within the grace period, without the SIGKILL that would cut work short.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from erp_testing import unique, wait_until

pytestmark = pytest.mark.containers

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / "var" / "containers" / "stack.json"
CONTAINERS_CONF = ROOT / "deploy" / "podman" / "containers.conf"
PROJECT = "erp-containers"
LONG_RUNNING = [
    "gateway",
    "gateway-webhooks",
    *(f"{service}{part}" for service in ("crm", "orders", "inventory", "analytics")
      for part in ("", "-worker")),
]  # fmt: skip
SIGKILLED = 137


def podman(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["podman", *arguments],
        env={"CONTAINERS_CONF": str(CONTAINERS_CONF), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def container(name: str) -> str:
    return f"{PROJECT}_{name}_1"


@pytest.fixture(scope="module")
def stack() -> dict:
    assert STATE.exists(), "no running stack: `make up-containers` (or `make test-containers`)"
    return json.loads(STATE.read_text())


@pytest.fixture(scope="module")
def api(stack):
    signed_in = httpx.post(
        f"{stack['gateway']}/api/v1/auth/token",
        json={"username": "admin", "password": stack["admin_password"]},
        timeout=30,
    )
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    with httpx.Client(
        base_url=f"{stack['gateway']}/api/v1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ) as client:
        yield client


def test_an_order_goes_from_placement_to_its_invoice_pdf(api):
    sku = unique("CTR-").upper()
    made = api.post("/products", json={"sku": sku, "name": "台灯 Lamp", "unit_price": "30.00"})
    assert made.status_code == 201, made.text
    received = api.post(
        "/receipts", json={"lines": [{"sku": sku, "quantity": 5, "unit_cost": "12.00"}]}
    )
    assert received.status_code == 201, received.text
    customer = api.post(
        "/customers",
        json={"name": "张伟", "company": "上海明远贸易有限公司",
              "email": f"{unique('zhang-')}@example.cn"},
    )  # fmt: skip
    assert customer.status_code == 201, customer.text
    placed = api.post(
        "/orders",
        json={
            "customer_id": customer.json()["id"],
            "channel": "web",
            "lines": [{"sku": sku, "quantity": 2}],
        },
    )
    assert placed.status_code == 201, placed.text  # at once: no waiting for the copies
    order_id = placed.json()["id"]
    decided = wait_until(
        lambda: (status := api.get(f"/orders/{order_id}").json()["status"]) != "pending" and status,
        timeout=20,
    )
    assert decided == "confirmed"
    shipped = api.post(
        f"/orders/{order_id}/ship", json={"carrier": "DHL", "tracking_number": "CTR1"}
    )
    assert shipped.status_code == 200, shipped.text
    pdf = api.get(
        f"/invoices/{shipped.json()['invoice_id']}", headers={"Accept": "application/pdf"}
    )
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    # Set in the fonts the image carries: the Chinese names read back as written.
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "张伟" in text and "上海明远贸易有限公司" in text and "台灯 Lamp" in text
    assert "60.00 EUR" in text


def test_health_and_metrics_answer_through_the_gateway(stack, api):
    health = httpx.get(f"{stack['gateway']}/health", headers=api.headers, timeout=30)
    assert health.status_code == 200, health.text
    services = health.json()["services"]
    assert {name: s["status"] for name, s in services.items()} == dict.fromkeys(services, "ok")
    assert set(services) >= {"crm", "orders", "inventory", "analytics"}
    refused = httpx.get(f"{stack['gateway']}/metrics", timeout=30)
    assert refused.status_code in (401, 403)
    metrics = httpx.get(
        f"{stack['gateway']}/metrics",
        headers={"Authorization": f"Bearer {stack['metrics_token']}"},
        timeout=30,
    )
    assert metrics.status_code == 200
    assert "erp_http_requests_total" in metrics.text


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_each_container_runs_as_the_compose_file_promises(name):
    inspected = podman("inspect", container(name))
    assert inspected.returncode == 0, inspected.stderr
    [facts] = json.loads(inspected.stdout)
    assert facts["State"]["Running"]
    assert facts["Config"]["User"].split(":")[0] == "10001"
    assert facts["HostConfig"]["ReadonlyRootfs"] is True
    assert podman("healthcheck", "run", container(name)).returncode == 0
    logged = [
        line for line in podman("logs", "--tail", "20", container(name)).stdout.splitlines() if line
    ]
    assert logged, f"{name} wrote nothing to stdout"
    for line in logged:
        assert isinstance(json.loads(line), dict), line


@pytest.mark.parametrize("name", ["orders-worker", "orders"])
def test_a_container_stops_on_sigterm_within_its_grace_period(name):
    grace = 25 if name.endswith("-worker") else 35  # docker-compose.yml's stop_grace_period
    started = time.monotonic()
    stopped = podman("stop", "--time", str(grace), container(name))
    took = time.monotonic() - started
    try:
        assert stopped.returncode == 0, stopped.stderr
        [facts] = json.loads(podman("inspect", container(name)).stdout)
        assert facts["State"]["ExitCode"] != SIGKILLED
        assert took < grace
        assert podman("top", container(name)).returncode != 0  # nothing left running in it
    finally:
        assert podman("start", container(name)).returncode == 0


def test_the_gateway_reads_root_owned_keys_through_the_pod_group(tmp_path):
    """As Kubernetes mounts the signing-key Secret: files owned by root, mode 0440, group the
    pod's fsGroup. uid 10001 reads them as that group; without it (no fsGroup) it cannot."""
    keys = tmp_path / "keys"
    keys.mkdir()
    made = podman(
        "run", "--rm", "--no-healthcheck", "--user", "0", "-v", f"{keys}:/keys",
        "erp/gateway:latest", "python", "-m", "gateway.keys", "ensure", "/keys",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr

    def mounted_with_group(group: int) -> subprocess.CompletedProcess:
        for path in (keys, *keys.iterdir()):
            os.chown(path, 0, group)
            path.chmod(0o750 if path.is_dir() else 0o440)
        return podman(
            "run", "--rm", "--no-healthcheck", "--read-only", "--user", "10001:10001",
            "-v", f"{keys}:/keys:ro", "erp/gateway:latest", "python", "-c",
            "from pathlib import Path; from gateway.keys import KeyFolder; "
            "print(KeyFolder(Path('/keys')).current().signing_kid)",
        )  # fmt: skip

    read = mounted_with_group(10001)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip()
    assert mounted_with_group(0).returncode != 0


@pytest.mark.parametrize(
    "cpus,memory,processes",
    [("1", "1g", 1), ("2", "1g", 2), ("2", "512m", 1), ("2", "256m", 1)],
)
def test_the_forecasting_pool_fits_the_container_it_runs_in(cpus, memory, processes):
    """The analytics worker's pool, sized inside a container with these limits (compose and
    Kubernetes give that worker one CPU and 1 GiB): never more processes than the memory
    holds at ~160 MiB each beside the worker, nor than the CPU quota."""
    sized = podman(
        "run", "--rm", "--no-healthcheck", "--read-only", "--cpus", cpus, "--memory", memory,
        "erp/analytics:latest", "python", "-c",
        "from analytics.forecast.catalogue import forecasters_allowed; "
        "print(forecasters_allowed())",
    )  # fmt: skip
    assert sized.returncode == 0, sized.stderr
    assert int(sized.stdout) == processes


SETTINGS = {
    "ORDERS_DATABASE_URL": "postgresql+psycopg://orders@127.0.0.1:1/orders",
    "AMQP_URL": "amqp://orders:secret@127.0.0.1:1/%2F",
    "ERP_METRICS_TOKEN": "scrape-me",
}
GIVEN = [f"--env={name}={value}" for name, value in SETTINGS.items()]
APP = []
WORKER = ["python", "-m", "orders.worker"]
MIGRATION = ["python", "-m", "erp_shared.migrate", "orders"]
MISTAKES = {
    "no settings": ([], "ORDERS_DATABASE_URL (or DATABASE_URL) and AMQP_URL must be set"),
    "as root": (["--read-only", "--user=0", *GIVEN], "refusing to run as root"),
    "writable root": (GIVEN, "refusing to run on a writable root filesystem"),
}


@pytest.mark.parametrize(
    "command,how,refusal",
    [
        *((command, *MISTAKES[mistake]) for command in (APP, WORKER) for mistake in MISTAKES),
        (MIGRATION, *MISTAKES["as root"]),
        (MIGRATION, *MISTAKES["writable root"]),
        # /metrics names every route and failure; a worker's is on its internal port only.
        (APP, ["--read-only", *GIVEN[:2]], "ERP_METRICS_TOKEN must be set outside development"),
    ],
    ids=[
        *(f"{part} {mistake}" for part in ("app", "worker") for mistake in MISTAKES),
        "migration as root", "migration writable root", "app without metrics token",
    ],
)  # fmt: skip
def test_in_production_a_container_refuses_to_start_unsafe_or_without_its_secrets(
    command, how, refusal
):
    """The image's own mode (ERP_ENV=production): started the way an operator might by
    mistake, each process stops at once and says why, rather than serving."""
    ran = podman("run", "--rm", "--no-healthcheck", *how, "erp/orders:latest", *command)
    assert ran.returncode != 0
    assert refusal in ran.stdout + ran.stderr
