"""Run the whole system as local processes: `python deploy/local/erpctl.py up|down|logs|status`.

`up` migrates every database, starts the gateway, the four HTTP services (gunicorn), the
four services' workers and the gateway's webhook worker in the background, waits until each
answers ready and prints the gateway URL.
Everything it writes (SQLite files, logs, pids, metrics, generated secrets) lives under
ERP_VAR_DIR (default ./var). The end-to-end tests and the benchmark start the system with
this same script, so what they exercise is what an operator runs.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from erp_shared.config import APPS, WORKER_BASE_PORT, app_port, worker_port
from gateway.keys import new_key_file, publish

READY_TIMEOUT = float(os.environ.get("ERP_READY_TIMEOUT", "90"))


def var_dir() -> Path:
    return Path(os.environ.get("ERP_VAR_DIR", "var")).resolve()


def _secret(path: Path, variable: str, make) -> str:
    if os.environ.get(variable):
        return os.environ[variable]
    if not path.exists():
        # Created readable by its owner only, never briefly by everyone.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(make())
    return path.read_text().strip()


def base_environment() -> dict[str, str]:
    root = var_dir()
    for sub in ("log", "run", "metrics"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["ERP_VAR_DIR"] = str(root)
    env.setdefault("ERP_ENV", "development")
    keys = root / "keys"
    if "ERP_JWT_KEYS_DIR" not in env and not any(keys.glob("*.pem")):
        new_key_file(keys)
    env.setdefault("ERP_JWT_KEYS_DIR", str(keys))
    public = root / "public-keys" / "jwks.json"
    publish(Path(env["ERP_JWT_KEYS_DIR"]), public)
    env["ERP_ADMIN_PASSWORD"] = _secret(
        root / "admin-password", "ERP_ADMIN_PASSWORD", lambda: secrets.token_urlsafe(12)
    )
    for name in APPS:
        env[f"{name.upper()}_PORT"] = str(app_port(name))
    env.setdefault("ERP_JWKS_URL", f"http://127.0.0.1:{app_port('gateway')}/.well-known/jwks.json")
    return env


def processes(env: dict[str, str]) -> list[dict]:
    """Every process of the system: name, command, extra environment, readiness URL, and
    whether it is an app (HTTP, gunicorn) or a worker (a status port beside its loops)."""
    python = sys.executable
    listed = []
    worker_base = int(env.get("ERP_WORKER_BASE_PORT", WORKER_BASE_PORT))
    for name in APPS:
        metrics_dir = var_dir() / "metrics" / name
        listed.append(
            {
                "name": name,
                "argv": [
                    python,
                    "-m",
                    "gunicorn",
                    "-c",
                    "python:erp_shared.gunicorn_conf",
                    "--bind",
                    f"127.0.0.1:{app_port(name)}",
                    f"{name}.app:create_app()",
                ],
                "env": {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
                "ready": f"http://127.0.0.1:{app_port(name)}/health/ready",
                "metrics_dir": metrics_dir,
                "kind": "app",
            }
        )
        if name == "gateway":
            listed.append(webhook_worker(python, worker_base))
            continue
        count = int(env.get(f"{name.upper()}_WORKERS", "1"))
        if "ERP_RELAY_NUDGE" not in env:  # set, even empty, it is the caller's choice
            relays = [f"127.0.0.1:{worker_port(worker_base, name, copy)}" for copy in range(count)]
            listed[-1]["env"]["ERP_RELAY_NUDGE"] = ",".join(relays)
        for copy in range(count):
            status_port = worker_port(worker_base, name, copy)
            worker = f"{name}-worker" + ("" if copy == 0 else f"-{copy + 1}")
            # Its own folder, as in a container: an app's /metrics and its worker's are
            # scraped apart, so neither may show the other's samples.
            worker_metrics = var_dir() / "metrics" / worker
            listed.append(
                {
                    "name": worker,
                    "argv": [python, "-m", f"{name}.worker"],
                    "env": {
                        "PROMETHEUS_MULTIPROC_DIR": str(worker_metrics),
                        "WORKER_PORT": str(status_port),
                    },
                    "ready": f"http://127.0.0.1:{status_port}/health/ready",
                    "metrics_dir": worker_metrics,
                    "kind": "worker",
                }
            )
    return listed


def webhook_worker(python: str, worker_base: int) -> dict:
    """The gateway's one worker: it takes every event from the bus and sends what webhook
    subscribers are owed. It has the gateway's block of status ports (the gateway app has no
    worker of its own) and, like the services' workers, its own metrics folder."""
    status_port = worker_port(worker_base, "gateway")
    metrics = var_dir() / "metrics" / "gateway-webhooks"
    return {
        "name": "gateway-webhooks",
        "argv": [python, "-m", "gateway.webhooks.worker"],
        "env": {"PROMETHEUS_MULTIPROC_DIR": str(metrics), "WORKER_PORT": str(status_port)},
        "ready": f"http://127.0.0.1:{status_port}/health/ready",
        "metrics_dir": metrics,
        "kind": "worker",
    }


def step(what: str, detail: str) -> None:
    """One line of progress per step: what is done, to which part."""
    print(f"{what:<9} {detail}", flush=True)


def tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def failed(what: str, log: Path) -> int:
    """Say which step failed and show the end of its log, where the reason usually is."""
    print(f"{what}; the last lines of {log}:\n{tail(log)}", file=sys.stderr)
    return 1


def migrate(env: dict[str, str]) -> bool:
    log = var_dir() / "log" / "migrate.log"
    step("migrate", f"{', '.join(APPS)} (log: {log})")
    with open(log, "ab") as out:
        done = subprocess.run(
            [sys.executable, "-m", "erp_shared.migrate", *APPS],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return done.returncode == 0


def _pid_file(name: str) -> Path:
    return var_dir() / "run" / f"{name}.pid"


def _running(name: str) -> int | None:
    path = _pid_file(name)
    if not path.exists():
        return None
    pid = int(path.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def _is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def up() -> int:
    env = base_environment()
    listed = processes(env)
    if any(_running(p["name"]) for p in listed):
        print("already running; `make down` first", file=sys.stderr)
        return 1
    if not migrate(env):
        return failed("migrate failed", var_dir() / "log" / "migrate.log")
    for directory in {p["metrics_dir"] for p in listed}:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
    for process in listed:
        step("start", f"{process['name']} ({process['ready'].rsplit('/health', 1)[0]})")
        with open(var_dir() / "log" / f"{process['name']}.log", "ab") as log:
            child = subprocess.Popen(
                process["argv"],
                env={**env, **process["env"]},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        _pid_file(process["name"]).write_text(str(child.pid))
    deadline = time.monotonic() + READY_TIMEOUT
    waiting = {p["name"]: p["ready"] for p in listed}
    started = time.monotonic()
    while waiting and time.monotonic() < deadline:
        for name, url in list(waiting.items()):
            if _running(name) is None:
                down()
                return failed(f"{name} exited while starting", var_dir() / "log" / f"{name}.log")
            if _is_ready(url):
                del waiting[name]
                step("ready", f"{name} after {time.monotonic() - started:.1f}s")
        time.sleep(0.2)
    if waiting:
        down()
        name = next(iter(waiting))
        return failed(
            f"{name} not ready after {READY_TIMEOUT:.0f}s", var_dir() / "log" / f"{name}.log"
        )
    gateway = f"http://127.0.0.1:{app_port('gateway')}"
    print(
        f"ERP is up: {gateway}/ (console), {gateway}/api/v1 (API); the admin password is in "
        f"{var_dir() / 'admin-password'} unless ERP_ADMIN_PASSWORD was set"
    )
    return 0


def down() -> int:
    names = [p.stem for p in (var_dir() / "run").glob("*.pid")]
    for name in names:
        pid = _running(name)
        if pid is not None:
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_running(name) for name in names):
        time.sleep(0.1)
    for name in names:
        pid = _running(name)
        if pid is not None:
            os.killpg(pid, signal.SIGKILL)
        _pid_file(name).unlink(missing_ok=True)
    return 0


def status() -> int:
    listed = processes(base_environment())
    for process in listed:
        pid = _running(process["name"])
        state = "ready" if pid and _is_ready(process["ready"]) else ("up" if pid else "down")
        print(f"{process['name']:<22} {state:<6} {pid or ''}")
    return 0


def logs() -> int:
    files = sorted(str(path) for path in (var_dir() / "log").glob("*.log"))
    if not files:
        print("no logs yet", file=sys.stderr)
        return 1
    os.execvp("tail", ["tail", "-n", "50", "-F", *files])


if __name__ == "__main__":
    commands = {"up": up, "down": down, "status": status, "logs": logs}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(f"usage: {sys.argv[0]} {'|'.join(commands)}", file=sys.stderr)
        sys.exit(2)
    sys.exit(commands[sys.argv[1]]())
