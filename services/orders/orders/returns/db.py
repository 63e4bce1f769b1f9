"""Loading and saving returns: the only SQL of the returns package."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from orders.returns.domain import Return
from orders.tables import returns

_FIELDS = (
    "id",
    "order_id",
    "customer_id",
    "resolution",
    "status",
    "lines",
    "requested_by",
    "created_at",
    "received_at",
    "credit_note_id",
    "replacement_order_id",
)


def add(conn: Connection, ret: Return) -> None:
    conn.execute(returns.insert().values({name: getattr(ret, name) for name in _FIELDS}))


def save(conn: Connection, ret: Return) -> None:
    """Write the return if it changed since it was loaded or last saved; else nothing."""
    if not ret.changed:
        return
    changing = ("status", "lines", "received_at", "credit_note_id", "replacement_order_id")
    conn.execute(
        update(returns)
        .where(returns.c.id == ret.id)
        .values({name: getattr(ret, name) for name in changing})
    )
    ret.changed = False


def get(conn: Connection, return_id: str, *, for_update: bool = False) -> Return | None:
    query = select(*(returns.c[name] for name in _FIELDS)).where(returns.c.id == return_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return None if row is None else Return(**row._asdict())


def asked_back(conn: Connection, order_id: str) -> dict[str, int]:
    """Units of an order on returns asked for and not yet received."""
    asked: dict[str, int] = {}
    rows = conn.scalars(
        select(returns.c.lines).where(
            returns.c.order_id == order_id, returns.c.status == "requested"
        )
    )
    for lines in rows:
        for line in lines:
            asked[line["sku"]] = asked.get(line["sku"], 0) + line["quantity"]
    return asked


def page(conn: Connection, filters: dict, offset: int, limit: int):
    query = select(*(returns.c[name] for name in _FIELDS))
    for name in ("order_id", "customer_id", "status"):
        if filters.get(name):
            query = query.where(returns.c[name] == filters[name])
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(returns.c.created_at.desc()).offset(offset).limit(limit))
    return [Return(**row._asdict()) for row in rows], total
