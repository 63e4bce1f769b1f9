"""The unit of work: one transaction that holds a state change and the events it announces.

Use cases never open a transaction: the HTTP edge or the event consumer opens a unit of work
and passes it in, so several use cases compose in one commit (an exchange creates its
replacement order in the same transaction as the return). Events are written to the outbox
inside that transaction, so either the change and its events happen or neither does; the relay
publishes them afterwards (at least once).

`on_commit` keeps what must happen only once the change is durable (counting it in the
metrics); a savepoint rolled back takes its callbacks with it.

`now` is the one instant of the transaction: every row and event it writes carries the same
time, so an order's `created_at` and its first history entry agree. `actor` is who asked (a
user, or the event being applied), for audit trails such as the stock ledger.

Aggregates come and go through the unit of work: `load(repository, key)` and
`add(repository, aggregate)` remember each one handed out, and the commit (or an earlier
`flush()`) saves every one of them through its repository and sends the events each recorded.
A use case changes aggregates and returns; it never saves one or sends an event itself, so it
cannot forget to. A repository is anything with `get(conn, key, **options)`,
`add(conn, aggregate)` and `save(conn, aggregate)` (a service's db module), and `save`
writes only what changed since the aggregate was loaded or last saved, as the aggregate
itself tells it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.engine import Connection, Engine

from erp_shared import context
from erp_shared.db import utcnow
from erp_shared.events import new_event
from erp_shared.messaging import add_to_outbox


class RecordsEvents(Protocol):
    """An aggregate that notes the events its state changes cause, for the commit to send."""

    pending_events: list[tuple[str, dict]]


A = TypeVar("A", bound=RecordsEvents)


class Repository(Protocol[A]):
    """Where one kind of aggregate is kept: a service's db module for it."""

    def get(self, conn: Connection, key, **options) -> A | None: ...

    def add(self, conn: Connection, aggregate: A) -> None: ...

    def save(self, conn: Connection, aggregate: A) -> None: ...


class UnitOfWork:
    def __init__(
        self,
        engine: Engine,
        producer: str,
        *,
        readonly: bool = False,
        actor: str | None = None,
        announce: Callable[[], None] | None = None,
    ):
        self.engine = engine
        # Called once after a commit that wrote events (an app nudges its relays with it).
        self.announce = announce
        self._wrote_events = False
        self.producer = producer
        self.readonly = readonly
        self.actor = actor
        self.conn: Connection | None = None
        self.now: datetime | None = None
        self._after_commit: list[Callable[[], None]] = []
        self._seen: list[tuple[Repository, RecordsEvents]] = []
        # What load() handed out, by repository and key: one object per stored aggregate.
        self._handed: dict[tuple[int, object], tuple[RecordsEvents, dict]] = {}

    def __enter__(self) -> UnitOfWork:
        self.conn = self.engine.connect()
        if self.readonly:
            # On SQLite a reading transaction must not take the write lock (erp_shared.db).
            self.conn = self.conn.execution_options(readonly=True)
        self._tx = self.conn.begin()
        self.now = utcnow()
        return self

    def __exit__(self, exc_type, exc, tb):
        committed = False
        try:
            if exc_type is None and not self.readonly:
                self.flush()
                self._tx.commit()
                committed = True
            else:
                self._tx.rollback()
        finally:
            self.conn.close()
        if committed:
            if self._wrote_events and self.announce is not None:
                self.announce()
            for callback in self._after_commit:
                callback()
        return False

    def on_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    @contextmanager
    def savepoint(self):
        """A part of the transaction that can fail alone (one event of a consumer's lot, one
        order of an import). Everything handed out before it is saved as it starts, and
        everything it changed as it ends; then the unit of work forgets every aggregate
        handed out inside it, and if it failed every aggregate at all, with the on_commit
        callbacks it added: nothing a failed part changed in memory is saved later, and a
        later part loads what it needs afresh. (Forgetting also keeps a lot of thousands of
        parts from saving every earlier part's aggregates again at each one's end.)"""
        self.flush()
        mark, seen = len(self._after_commit), len(self._seen)
        try:
            with self.conn.begin_nested():
                yield
                self.flush()
        except BaseException:
            del self._after_commit[mark:]
            self._seen.clear()
            self._handed.clear()
            raise
        inside = {id(aggregate) for _, aggregate in self._seen[seen:]}
        self._handed = {
            key: kept for key, kept in self._handed.items() if id(kept[0]) not in inside
        }
        del self._seen[seen:]

    def emit(self, event_type: str, data: dict) -> dict:
        if self.readonly:
            raise RuntimeError(f"a read-only unit of work cannot emit {event_type}")
        envelope = new_event(
            event_type,
            data,
            producer=self.producer,
            correlation_id=context.correlation_id.get(),
            causation_id=context.causation_id.get(),
            occurred_at=self.now,
        )
        add_to_outbox(self.conn, envelope)
        self._wrote_events = True
        return envelope

    @property
    def request_id(self) -> str | None:
        """The request (or the request an event came from) this transaction is part of."""
        return context.correlation_id.get()

    def load(self, repository: Repository[A], key, **options) -> A | None:
        """The aggregate stored under `key` (None if there is none), saved at the commit.
        Asked again in the same transaction with the same options, it is the same object,
        changes and all; asked with other options (a lock, its lots), what it holds is saved
        first and it is read again."""
        handed = self._handed.get((id(repository), key))
        if handed is not None:
            aggregate, loaded_with = handed
            if options == loaded_with:
                return aggregate
            self.flush()
        aggregate = repository.get(self.conn, key, **options)
        if aggregate is not None:
            self._seen.append((repository, aggregate))
            self._handed[(id(repository), key)] = (aggregate, options)
        return aggregate

    def add(self, repository: Repository[A], aggregate: A) -> A:
        """A new aggregate, stored now (so a clash with an existing one is refused here) and
        saved again at the commit if it changes meanwhile."""
        repository.add(self.conn, aggregate)
        self._seen.append((repository, aggregate))
        return aggregate

    def flush(self) -> None:
        """Save every aggregate handed out and send what each recorded, once (their lists
        are emptied): at the commit, or earlier when a use case must read the rows back."""
        for repository, aggregate in self._seen:
            repository.save(self.conn, aggregate)
            while aggregate.pending_events:
                self.emit(*aggregate.pending_events.pop(0))
