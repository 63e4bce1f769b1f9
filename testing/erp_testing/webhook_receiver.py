"""A webhook receiver on 127.0.0.1 for the tests and the benchmark: an HTTP server in a
thread that answers each POST with the next of its answers (the last one repeated; 204 unless
told) and keeps what came, with the wall-clock time it came at, so the lag from an event's
`occurred_at` is read afterwards, not while measuring. Given `hold`, it keeps its first
answer back until that is set: a sender can be caught mid-delivery."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Arrival:
    arrived_at: float  # Unix seconds
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def event(self) -> dict:
        return json.loads(self.body)

    @property
    def lag(self) -> float:
        """Seconds from the event's occurring to its arrival here."""
        occurred = datetime.fromisoformat(self.event["occurred_at"].replace("Z", "+00:00"))
        return self.arrived_at - occurred.timestamp()


class Receiver:
    def __init__(
        self, *answers: int, location: str | None = None, hold: threading.Event | None = None
    ):
        self.answers = list(answers or (204,))
        self.location = location
        self.hold = hold
        self.received: list[Arrival] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                arrived_at = time.time()
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver._lock:
                    answer = receiver.answers[
                        min(len(receiver.received), len(receiver.answers) - 1)
                    ]
                    receiver.received.append(Arrival(arrived_at, headers, body, answer))
                    first = len(receiver.received) == 1
                if first and receiver.hold is not None:
                    receiver.hold.wait(timeout=60)
                self.send_response(answer)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/hooks"

    def delivered(self) -> list[Arrival]:
        """What it answered 2xx to."""
        return [each for each in list(self.received) if 200 <= each.answered < 300]

    def of_type(self, event_type: str) -> list[Arrival]:
        return [each for each in list(self.received) if each.event["type"] == event_type]

    def __enter__(self) -> Receiver:
        threading.Thread(target=self._server.serve_forever, name="receiver", daemon=True).start()
        return self

    def __exit__(self, *_exc):
        self._server.shutdown()
        self._server.server_close()
