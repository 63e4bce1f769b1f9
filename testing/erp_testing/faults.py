"""Faults a test or the chaos run does to a running system: the broker cut off, processes
killed outright, database connections terminated.

The broker is cut either with a relay (`BrokerLink`: only this system loses it, so it is
safe beside other test runs) or, in `make chaos`, by stopping the broker application itself
(`rabbitmqctl stop_app`), which every client of this machine's broker notices.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import create_engine, text

from erp_shared.config import APPS
from erp_testing import wait_for, wait_until
from erp_testing.system import System


def _hang_up(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class BrokerLink:
    """A TCP relay between the system and a server it needs (RabbitMQ, Redis) that can be cut
    and restored."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = None
        self.listener = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    @classmethod
    def to(cls, amqp_url: str) -> BrokerLink:
        broker = urlsplit(amqp_url)
        link = cls((broker.hostname, broker.port or 5672))
        link.restore()
        return link

    def url(self, amqp_url: str) -> str:
        """The same broker URL (credentials, vhost) pointed at the relay."""
        broker = urlsplit(amqp_url)
        credentials, _, _ = broker.netloc.rpartition("@")
        address = f"127.0.0.1:{self.port}"
        return urlunsplit(
            broker._replace(netloc=f"{credentials}@{address}" if credentials else address)
        )

    def restore(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self):
        # Closing alone leaves the socket listening while the accepting thread is blocked on
        # it (the kernel keeps it open until accept returns): shutting it down wakes that
        # thread and refuses new connections at once.
        _hang_up(self.listener)
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                _hang_up(sock)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                _hang_up(sock)


def restart_broker_app(down_seconds: float) -> None:
    """Stop RabbitMQ's application and start it again: every connection drops, queues stay."""
    subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, timeout=120)
    threading.Event().wait(down_seconds)
    subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, timeout=120)
    subprocess.run(["rabbitmqctl", "-q", "await_startup"], check=True, timeout=120)


@dataclass(frozen=True)
class Launch:
    """How a process was started, read from /proc, so it can be started again the same way."""

    argv: list[bytes]
    environ: dict[bytes, bytes]
    cwd: str

    @classmethod
    def of(cls, pid: int) -> Launch:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        environ = dict(
            entry.split(b"=", 1)
            for entry in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            if b"=" in entry
        )
        return cls(argv, environ, os.readlink(f"/proc/{pid}/cwd"))


def _gone(pid: int) -> bool:
    try:
        return " Z " in Path(f"/proc/{pid}/stat").read_text()
    # Reaped: before the open (no such file), or between the open and the read (the kernel
    # answers ESRCH).
    except (FileNotFoundError, ProcessLookupError):
        return True


def kill_outright(pid: int) -> Launch:
    """SIGKILL a process: no shutdown code runs, as when a machine or a container dies."""
    launch = Launch.of(pid)
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: _gone(pid))
    return launch


def relaunch(system: System, name: str, launch: Launch) -> int:
    """Start a killed process of the system again, as its supervisor would."""
    with open(system.var_dir / "log" / f"{name}.log", "ab") as log:
        process = subprocess.Popen(
            launch.argv,
            env=launch.environ,
            cwd=launch.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    system.pid_file(name).write_text(str(process.pid))
    # This process is its parent now: reap it when it ends, or it would linger as a zombie
    # that `erpctl down` takes for alive until its 15-second grace runs out.
    threading.Thread(target=process.wait, daemon=True).start()
    return process.pid


def kill_and_relaunch(system: System, name: str, down_seconds: float = 0.5) -> None:
    """SIGKILL one of the system's processes (a worker), then start it again."""
    launch = kill_outright(int(system.pid_file(name).read_text()))
    threading.Event().wait(down_seconds)
    relaunch(system, name, launch)


def restart_gracefully(system: System, name: str, grace: float = 25.0) -> float:
    """SIGTERM one of the system's processes, as an orchestrator's rollout does, wait for it to
    end (at most `grace`, the grace period, then SIGKILL), start it again; the seconds it took
    to stop."""
    pid = int(system.pid_file(name).read_text())
    launch = Launch.of(pid)
    started = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    if wait_for(lambda: _gone(pid), timeout=grace, interval=0.05) is not True:
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: _gone(pid))
    took = time.monotonic() - started
    relaunch(system, name, launch)
    return took


def kill_a_gunicorn_worker(system: System, app: str) -> None:
    """SIGKILL one of an app's gunicorn workers, mid-request perhaps; its master starts
    another."""
    master = int(system.pid_file(app).read_text())
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if children:
        os.kill(int(random.choice(children)), signal.SIGKILL)


def terminate_connections(system: System) -> int:
    """Terminate every PostgreSQL connection the system's services hold; how many were."""
    terminated = 0
    for app in APPS:
        url = system.database_url(app)
        if not url.startswith("postgresql"):
            continue
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            terminated += len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).all()
            )
        engine.dispose()
    return terminated
