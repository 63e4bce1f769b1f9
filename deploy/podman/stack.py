"""`make up-containers` / `make down-containers`: the system run from the images `make images`
built, with podman-compose, against this machine's PostgreSQL, RabbitMQ and Redis.

    python deploy/podman/stack.py up | down [--drop-databases] | logs | status

docker-compose.yml with deploy/podman/compose.host.yml on top: every app and worker in its own
container on the host's network, the one-shot steps (signing keys, then each service's
migrations) first, each run to its end before anything that needs it starts. (podman-compose
1.6 would start a finished one-shot again beside the service that depends on it, so the steps
are run one at a time with --no-deps.) Each service gets its own PostgreSQL database,
erp_containers_<service> unless ERP_CONTAINERS_DB_PREFIX says otherwise, created if missing
through POSTGRES_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres);
the bus prefix is `containers.` (ERP_BUS_PREFIX). The ports are `make up`'s, each overridable
as there (GATEWAY_PORT, CRM_PORT, ...). The admin's password and the metrics token are made
once and kept in var/containers/stack.json, which `up` prints the path of.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
from psycopg import sql

from erp_shared.config import APPS, DEFAULT_PORTS, SERVICES

REPO = Path(__file__).resolve().parents[2]
STATE = REPO / "var" / "containers" / "stack.json"
PROJECT = "erp-containers"
# The gateway's is its webhook worker's (gateway-webhooks).
WORKER_PORTS = {"gateway": 9100, "crm": 9101, "orders": 9102, "inventory": 9103, "analytics": 9104}
WORKERS = {"gateway": "gateway-webhooks", **{s: f"{s}-worker" for s in SERVICES}}
ONE_SHOTS = ("signing-keys", *(f"{app}-migrate" for app in APPS))
LONG_RUNNING = (*(x for s in SERVICES for x in (s, f"{s}-worker")), "gateway", "gateway-webhooks")
READY_TIMEOUT = 120


def podman_compose() -> list[str]:
    found = shutil.which(
        "podman-compose", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    )
    if found is None or shutil.which("podman") is None:
        sys.exit(
            "podman and podman-compose are needed: apt-get install podman runc uidmap "
            "fuse-overlayfs catatonit; podman-compose comes with requirements-dev.txt"
        )
    files = [
        "-f",
        str(REPO / "docker-compose.yml"),
        "-f",
        str(REPO / "deploy/podman/compose.host.yml"),
    ]
    return [found, "--in-pod", "false", "-p", PROJECT, *files]


def settings() -> dict:
    """The stack's ports, databases and secrets: made on the first `up`, then kept."""
    if STATE.exists():
        state = json.loads(STATE.read_text())
        # A stack made before the gateway had a worker gets that worker's port.
        for app, port in WORKER_PORTS.items():
            state["worker_ports"].setdefault(app, port)
        return state
    admin = os.environ.get("POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    prefix = os.environ.get("ERP_CONTAINERS_DB_PREFIX", "erp_containers_")
    base = admin.rsplit("/", 1)[0]
    state = {
        "postgres_admin_url": admin,
        "databases": {app: f"{base}/{prefix}{app}" for app in APPS},
        "ports": {
            app: int(os.environ.get(f"{app.upper()}_PORT", port))
            for app, port in DEFAULT_PORTS.items()
        },
        "worker_ports": {
            s: int(os.environ.get(f"{s.upper()}_WORKER_PORT", p)) for s, p in WORKER_PORTS.items()
        },
        "amqp_url": os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
        "bus_prefix": os.environ.get("ERP_BUS_PREFIX", "containers."),
        "redis_url": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "admin_password": secrets.token_hex(12),
        "metrics_token": secrets.token_hex(16),
    }
    state["gateway"] = f"http://127.0.0.1:{state['ports']['gateway']}"
    STATE.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    STATE.write_text(json.dumps(state, indent=2))
    STATE.chmod(0o600)
    return state


def compose_environment(state: dict) -> dict[str, str]:
    env = {
        **os.environ,
        "CONTAINERS_CONF": str(REPO / "deploy" / "podman" / "containers.conf"),
        "AMQP_URL": state["amqp_url"],
        "ERP_BUS_PREFIX": state["bus_prefix"],
        "REDIS_URL": state["redis_url"],
        "ERP_ADMIN_PASSWORD": state["admin_password"],
        "ERP_METRICS_TOKEN": state["metrics_token"],
        # The production file's own database, broker and Grafana are not started here, but
        # it refuses to load without their passwords.
        **dict.fromkeys(
            ("ERP_DB_PASSWORD", "ERP_BROKER_PASSWORD", "GRAFANA_ADMIN_PASSWORD"), "unused"
        ),
    }
    for app in APPS:
        env[f"{app.upper()}_DATABASE_URL"] = state["databases"][app]
        env[f"{app.upper()}_PORT"] = str(state["ports"][app])
    for app in WORKERS:
        env[f"{app.upper()}_WORKER_PORT"] = str(state["worker_ports"][app])
    return env


def create_databases(state: dict) -> None:
    with psycopg.connect(state["postgres_admin_url"], autocommit=True) as admin:
        for url in state["databases"].values():
            name = url.rsplit("/", 1)[1]
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if exists.fetchone() is None:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_databases(state: dict) -> None:
    with psycopg.connect(state["postgres_admin_url"], autocommit=True) as admin:
        for url in state["databases"].values():
            name = url.rsplit("/", 1)[1]
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def compose(state: dict, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*podman_compose(), *arguments],
        cwd=REPO,
        env=compose_environment(state),
        check=check,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def containers(state: dict) -> list[str]:
    listed = subprocess.run(
        ["podman", "ps", "-a", "--filter", f"label=io.podman.compose.project={PROJECT}",
         "--format", "{{.Names}}"],
        env=compose_environment(state), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return listed.stdout.split()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # nosec B310: a local http URL
            return True
    except OSError:
        return False


def wait_until_ready(state: dict) -> None:
    urls = {app: f"http://127.0.0.1:{state['ports'][app]}/health/ready" for app in SERVICES}
    urls["gateway"] = f"{state['gateway']}/health/live"
    urls |= {
        worker: f"http://127.0.0.1:{state['worker_ports'][app]}/health/ready"
        for app, worker in WORKERS.items()
    }
    deadline = time.monotonic() + READY_TIMEOUT
    waiting = dict(urls)
    while waiting and time.monotonic() < deadline:
        waiting = {name: url for name, url in waiting.items() if not answers(url)}
        time.sleep(0.5)
    if waiting:
        show_logs(state)
        sys.exit(f"not ready after {READY_TIMEOUT}s: {', '.join(waiting)}")


def show_logs(state: dict, lines: int = 30) -> None:
    for name in containers(state):
        done = subprocess.run(
            ["podman", "logs", "--tail", str(lines), name],
            env=compose_environment(state), capture_output=True, text=True, check=False,
        )  # fmt: skip
        print(f"--- {name}\n{done.stdout}{done.stderr}", file=sys.stderr)


def up() -> None:
    state = settings()
    create_databases(state)
    for one_shot in ONE_SHOTS:
        print(f"run       {one_shot}", flush=True)
        done = compose(state, "up", "--no-deps", "--force-recreate", one_shot, check=False)
        code = subprocess.run(
            ["podman", "inspect", f"{PROJECT}_{one_shot}_1", "--format", "{{.State.ExitCode}}"],
            env=compose_environment(state), capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
        if done.returncode != 0 or code != "0":
            show_logs(state)
            sys.exit(f"{one_shot} failed (exit {code}): {done.stderr[-2000:]}")
    print(f"start     {', '.join(LONG_RUNNING)}", flush=True)
    done = compose(state, "up", "-d", "--no-deps", *LONG_RUNNING, check=False)
    if done.returncode != 0:
        show_logs(state)
        sys.exit(f"podman-compose up failed: {done.stderr[-2000:]}")
    wait_until_ready(state)
    secrets_at = STATE.relative_to(REPO)
    print(f"ready     {state['gateway']} (admin password and metrics token: {secrets_at})")


def down(drop: bool) -> None:
    if not STATE.exists():
        return
    state = settings()
    compose(state, "down", "--timeout", "30", check=False)
    if drop:
        drop_databases(state)
        STATE.unlink()


def status() -> None:
    state = settings()
    subprocess.run(
        ["podman", "ps", "-a", "--filter", f"label=io.podman.compose.project={PROJECT}"],
        env=compose_environment(state), check=False,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down", "logs", "status"))
    parser.add_argument("--drop-databases", action="store_true", help="with down: drop them too")
    args = parser.parse_args()
    if args.command == "up":
        up()
    elif args.command == "down":
        down(args.drop_databases)
    elif args.command == "logs":
        show_logs(settings(), lines=200)
    else:
        status()


if __name__ == "__main__":
    main()
