"""Loading and saving an order's hold: the only SQL of the reservations package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from inventory.reservations.domain import HeldLine, Reservation
from inventory.tables import reservation_decisions, reservations


def decided(conn: Connection, order_id: str) -> bool:
    query = select(reservation_decisions.c.order_id).where(
        reservation_decisions.c.order_id == order_id
    )
    return conn.execute(query).first() is not None


def add(conn: Connection, reservation: Reservation) -> None:
    """The decision, once per order (its primary key), and the lines it holds."""
    at = reservation.decided_at
    conn.execute(
        reservation_decisions.insert(),
        {
            "order_id": reservation.order_id,
            "outcome": reservation.outcome,
            "reason": reservation.reason,
            "decided_at": at,
        },
    )
    if reservation.lines:
        ids = conn.scalars(
            reservations.insert().returning(reservations.c.id, sort_by_parameter_order=True),
            [
                {
                    "order_id": reservation.order_id,
                    "sku": line.sku,
                    "warehouse": line.warehouse,
                    "quantity": line.quantity,
                    "shipped": line.shipped,
                    "status": line.status,
                    "created_at": at,
                    "updated_at": at,
                }
                for line in reservation.lines
            ],
        )
        for line, line_id in zip(reservation.lines, ids, strict=True):
            line.id, line.changed_at = line_id, None


def get(conn: Connection, order_id: str) -> Reservation | None:
    """An order's hold, its lines locked (PostgreSQL) until the transaction ends."""
    decision = conn.execute(
        select(reservation_decisions.c.outcome, reservation_decisions.c.reason)
        .where(reservation_decisions.c.order_id == order_id)
        .with_for_update()
    ).first()
    if decision is None:
        return None
    rows = conn.execute(
        select(
            reservations.c.id,
            reservations.c.sku,
            reservations.c.warehouse,
            reservations.c.quantity,
            reservations.c.shipped,
            reservations.c.status,
        )
        .where(reservations.c.order_id == order_id)
        .order_by(reservations.c.id)
        .with_for_update()
    )
    lines = [
        HeldLine(row.sku, row.warehouse, row.quantity, row.shipped, row.status, row.id)
        for row in rows
    ]
    return Reservation(order_id, decision.outcome, lines, decision.reason)


def save(conn: Connection, reservation: Reservation) -> None:
    """Write the lines that changed since loaded or last saved."""
    for line in reservation.lines:
        if line.changed_at is not None:
            conn.execute(
                update(reservations)
                .where(reservations.c.id == line.id)
                .values(shipped=line.shipped, status=line.status, updated_at=line.changed_at)
            )
            line.changed_at = None


def unconfirmed_since(conn: Connection, before: datetime, limit: int) -> list[str]:
    """Orders whose hold is older than `before` and still waits for a confirmation."""
    return list(
        conn.scalars(
            select(reservations.c.order_id)
            .where(reservations.c.status == "held", reservations.c.created_at < before)
            .group_by(reservations.c.order_id)
            .order_by(reservations.c.order_id)
            .limit(limit)
        )
    )
