"""What a running system's processes cost the machine: memory resident and CPU used, per
process as erpctl names them (an app's gunicorn master counted with its workers).

Read from /proc, so it measures exactly what an operator's `ps` would, on Linux only.
"""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (a gunicorn master and its workers)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [pid] + [p for child in children for p in process_tree(int(child))]


def _rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1])


def _cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used since it started."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _trees(system) -> dict[str, list[int]]:
    return {
        pid_file.stem: process_tree(int(pid_file.read_text()))
        for pid_file in sorted((system.var_dir / "run").glob("*.pid"))
    }


def rss_by_process(system) -> dict[str, float]:
    """MiB resident per process of the system."""
    return {
        name: round(sum(map(_rss_kib, pids)) / 1024, 1) for name, pids in _trees(system).items()
    }


def cpu_by_process(system) -> dict[str, float]:
    """CPU seconds used so far per process of the system; the difference of two readings is
    what a stretch of time cost (a process that restarted in between reads low)."""
    return {name: sum(map(_cpu_seconds, pids)) for name, pids in _trees(system).items()}


# The servers the system leans on, by the name the kernel gives their processes.
SERVERS = {"rabbitmq": ("beam.smp",), "postgresql": ("postgres",)}


def cpu_by_server() -> dict[str, float]:
    """CPU seconds used so far by this machine's RabbitMQ and PostgreSQL processes (every
    backend PostgreSQL has; one that ended between two readings is not counted)."""
    used = dict.fromkeys(SERVERS, 0.0)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "comm").read_text().strip()
        except OSError:
            continue
        for server, names in SERVERS.items():
            if command in names:
                used[server] += _cpu_seconds(int(proc.name))
    return used
