"""The unit of work: one transaction that holds a state change and the events it announces.

Events are written to the outbox inside the same transaction as the change they describe, so
either both happen or neither does; the relay publishes them afterwards (at least once).
"""

from __future__ import annotations

from sqlalchemy.engine import Connection, Engine

from erp_shared import context
from erp_shared.events import new_event
from erp_shared.messaging import add_to_outbox


class UnitOfWork:
    def __init__(self, engine: Engine, producer: str):
        self.engine = engine
        self.producer = producer
        self.conn: Connection | None = None

    def __enter__(self) -> UnitOfWork:
        self.conn = self.engine.connect()
        self._tx = self.conn.begin()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._tx.commit()
            else:
                self._tx.rollback()
        finally:
            self.conn.close()
        return False

    def emit(self, event_type: str, data: dict) -> dict:
        envelope = new_event(
            event_type,
            data,
            producer=self.producer,
            correlation_id=context.correlation_id.get(),
            causation_id=context.causation_id.get(),
        )
        add_to_outbox(self.conn, envelope)
        return envelope
