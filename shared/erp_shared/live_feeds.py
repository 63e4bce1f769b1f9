"""Slots for live feeds (Server-Sent Events), which hold a server thread for as long as they
last.

gunicorn's gthread workers serve a request on one thread from start to end, so a feed keeps
its thread for up to FEED_SECONDS, at the gateway and at the service behind it. A process runs
its request threads plus one thread per feed slot (erp_shared.gunicorn_conf); a feed must
take a slot first, so however many feeds are asked for, the request threads stay free for
everyone's other calls. One user gets a few slots (429 beyond, their own feeds are what
they should wait for), all users together the process's slots (503 beyond). Slots are
counted per process: with WEB_CONCURRENCY processes a user may hold that many times as many.
"""

from __future__ import annotations

import math
import threading
import time

from flask import Response

from erp_shared.config import ServerSettings
from erp_shared.web import problem

# A feed ends after this long (its client reconnects with Last-Event-ID), so a slot is never
# held for good and a refused client knows when one frees at the latest.
FEED_SECONDS = 25.0
# How often a quiet feed writes a comment: writing is how a server learns that the client
# left, which frees the feed's slot (at the gateway, and then at the service behind it).
HEARTBEAT_SECONDS = 1.0
HEARTBEAT = ":\n\n"


class FeedRefused(Exception):
    """No slot: 429 when the caller holds its share, 503 when the process is full."""

    def __init__(self, status: int, detail: str, retry_after: float):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after

    def answer(self) -> Response:
        refused = problem(self.status, self.detail)
        refused.headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return refused


class FeedSlots:
    """The feed slots of one process, shared by its request threads under one lock."""

    @classmethod
    def configured(cls) -> FeedSlots:
        """The slots ERP_LIVE_FEEDS and ERP_LIVE_FEEDS_PER_USER allow this process, which
        gunicorn gave as many threads beside its request threads (gunicorn_conf)."""
        server = ServerSettings.from_env()
        return cls(server.live_feeds, server.live_feeds_per_user)

    def __init__(self, total: int, per_user: int):
        self.total = total
        self.per_user = per_user
        self._lock = threading.Lock()
        self._open: list[FeedSlot] = []

    def take(self, user: str) -> FeedSlot:
        with self._lock:
            now = time.monotonic()
            own = [slot for slot in self._open if slot.user == user]
            if len(own) >= self.per_user:
                raise FeedRefused(
                    429,
                    f"At most {self.per_user} live feeds per user at once: close one, or poll "
                    "the order instead.",
                    _frees_in(own, now),
                )
            if len(self._open) >= self.total:
                raise FeedRefused(
                    503,
                    "Too many live feeds are open; try again later.",
                    _frees_in(self._open, now),
                )
            slot = FeedSlot(self, user, now)
            self._open.append(slot)
            return slot

    def give_back(self, slot: FeedSlot) -> None:
        """Once, however often a feed's end is reported."""
        with self._lock:
            if slot in self._open:
                self._open.remove(slot)


class FeedSlot:
    def __init__(self, slots: FeedSlots, user: str, began: float):
        self.slots = slots
        self.user = user
        self.began = began

    def release(self) -> None:
        self.slots.give_back(self)


def _frees_in(slots: list[FeedSlot], now: float) -> float:
    """Seconds until the oldest of these feeds ends at the latest."""
    oldest = min((slot.began for slot in slots), default=now)
    return oldest + FEED_SECONDS - now
