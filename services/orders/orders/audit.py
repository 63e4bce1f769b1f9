"""The audit trail of every write: who, when, from which request, the record before and after.

Written in the transaction of the change it describes, so the trail never misses a change
nor records one that rolled back.
"""

from __future__ import annotations

import json

from erp_shared.uow import UnitOfWork
from orders.tables import audit_log


def record(
    uow: UnitOfWork,
    entity: str,
    entity_id: str,
    action: str,
    before: dict | None,
    after: dict | None,
) -> None:
    uow.conn.execute(
        audit_log.insert(),
        {
            "entity": entity,
            "entity_id": entity_id,
            "action": action,
            "actor": uow.actor,
            "request_id": uow.request_id,
            "at": uow.now,
            "before": _plain(before),
            "after": _plain(after),
        },
    )


def _plain(record: dict | None) -> dict | None:
    """JSON-safe: amounts and times as strings."""
    return None if record is None else json.loads(json.dumps(record, default=str))
