"""Doing a thing once per key, whoever asks again: the one helper behind every kind of retry.

A client's `Idempotency-Key`, an import row's external reference and a consumed event's id are
all the same problem: the second arrival must change nothing and, where it asks for an answer,
get the first one. Each use names a scope ("event", "POST /api/v1/orders by ada", ...) and
claims keys in it inside the transaction that does the work, so the claim and the work commit
or roll back together: a refused request leaves its key free for a corrected retry.

The claim is an INSERT ... ON CONFLICT DO NOTHING. On PostgreSQL a second transaction claiming
the same key waits on the first's index entry and then sees its outcome, so two racing
requests never both do the work; SQLite's single writer gives the same for free.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Index, MetaData, String, Table, delete, select, update
from sqlalchemy.engine import Connection

from erp_shared.db import UtcDateTime, built_once, utcnow
from erp_shared.errors import Conflict

idempotency_metadata = MetaData()

idempotency_keys = Table(
    "idempotency_keys",
    idempotency_metadata,
    Column("scope", String(160), primary_key=True),
    Column("key", String(200), primary_key=True),
    # What was asked the first time, so the same key with another request is told apart.
    Column("fingerprint", String(64), nullable=False),
    # What the first time produced (the id of what it created), for the answer to a retry.
    Column("result", String(200)),
    Column("created_at", UtcDateTime, nullable=False),
)
Index("ix_idempotency_keys_created_at", idempotency_keys.c.created_at)


@dataclass(frozen=True)
class Replay:
    """The key was used before, with the same request; `result` is what that first run made."""

    result: str | None


def fingerprint(request) -> str:
    """The same request spelled with its keys in another order has the same fingerprint."""
    canonical = json.dumps(request, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# Built once: every event a worker applies is claimed, and building this statement (its
# values baked in) cost more than running it (docs/performance.md).
_claim = built_once(
    lambda insert: (
        insert(idempotency_keys)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
        .returning(idempotency_keys.c.key)
    )
)


def claim(conn: Connection, scope: str, keys: Iterable[str], fingerprint: str = "") -> set[str]:
    """Claim many keys in one statement; returns those this transaction is the first to claim."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return set()
    now = utcnow()
    rows = [
        {"scope": scope, "key": key, "fingerprint": fingerprint, "created_at": now}
        for key in wanted
    ]
    return set(conn.scalars(_claim(conn), rows))


def first_time(conn: Connection, scope: str, key: str, request) -> Replay | None:
    """None when this transaction now holds the key and must do the work; else the replay.

    The same key with a different request is refused: the caller reused a key by mistake,
    and answering with the first request's result would hide it.
    """
    asked = fingerprint(request)
    if claim(conn, scope, [key], asked):
        return None
    earlier = conn.execute(
        select(idempotency_keys.c.fingerprint, idempotency_keys.c.result).where(
            idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
        )
    ).one()
    if earlier.fingerprint != asked:
        raise Conflict(
            "This key was already used with a different request.", {"key": [f"{key} is taken."]}
        )
    return Replay(earlier.result)


def remember(conn: Connection, scope: str, key: str, result: str) -> None:
    """Record what the first run produced, for the retries that will ask."""
    conn.execute(
        update(idempotency_keys)
        .where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
        .values(result=result)
    )


def forget(conn: Connection, scope_prefix: str, before: datetime) -> int:
    """Drop the keys of scopes starting with `scope_prefix` claimed before `before`."""
    return conn.execute(
        delete(idempotency_keys).where(
            idempotency_keys.c.scope.startswith(scope_prefix, autoescape=True),
            idempotency_keys.c.created_at < before,
        )
    ).rowcount
