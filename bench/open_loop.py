"""An open-loop load generator: requests sent at a fixed rate, whatever the answers do.

wrk (closed loop) sends the next request when the last one is answered, so a slow system is
asked less and its latency hides in the queue it never sees (coordinated omission). Here each
request has its moment, `start + i / rate`, and is sent then on a free keep-alive connection
(a new one when none is free), and its latency counts from that moment. One asyncio loop with
pre-built request bytes and no HTTP library: at a few hundred requests a second it costs a few
per cent of one core, which the caller measures and reports.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ID = re.compile(rb'"id"\s*:\s*"([^"]+)"')


@dataclass
class Arrivals:
    """What one run of the generator saw: the ids created, answers by status, latencies."""

    rate: float
    seconds: float
    ids: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    connections: int = 0
    late_ms: float = 0.0


def request_bytes(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    parts = urlsplit(url)
    head = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head += ["Content-Type: application/json", f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(head).encode() + body


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length, keep = 0, True
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            keep = False
    return status, await reader.readexactly(length), keep


async def _drive(url: str, body: bytes, headers: dict[str, str], rate: float, seconds: float):
    parts = urlsplit(url)
    payload = request_bytes(url, body, headers)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    seen = Arrivals(rate=rate, seconds=seconds)
    count = max(1, round(rate * seconds))
    start = time.perf_counter() + 0.05

    async def one(due: float) -> None:
        if idle:
            reader, writer = idle.pop()
        else:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            seen.connections += 1
        try:
            writer.write(payload)
            status, answer, keep = await _answer(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            seen.errors += 1
            writer.close()
            return
        seen.latencies_ms.append((time.perf_counter() - due) * 1000)
        seen.statuses[status] = seen.statuses.get(status, 0) + 1
        if status == 201 and (found := ID.search(answer)):
            seen.ids.append(found.group(1).decode())
        if keep:
            idle.append((reader, writer))
        else:
            writer.close()

    tasks = []
    for index in range(count):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        seen.late_ms = max(seen.late_ms, (time.perf_counter() - due) * 1000)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return seen


def drive(url: str, body: bytes, headers: dict[str, str], rate: float, seconds: float) -> Arrivals:
    """POST `body` to `url` `rate` times a second for `seconds`; every answer awaited."""
    return asyncio.run(_drive(url, body, headers, rate, seconds))
