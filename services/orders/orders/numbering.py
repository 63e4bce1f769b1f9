"""Gap-free numbers per year for orders and invoices: the one counter table of the service.

The counter row stays locked until the transaction that took a number commits, so a number
is never skipped (a rolled-back transaction gives its number back) nor handed out twice.
Concurrent numbering queues on that row: the price of having no gaps.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from erp_shared.db import dialect_insert
from orders.tables import sequences


def next_number(conn: Connection, series: str, year: int) -> int:
    name = f"{series}-{year}"
    statement = dialect_insert(conn)(sequences).values(name=name, value=1)
    return conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sequences.c.name], set_={"value": sequences.c.value + 1}
        ).returning(sequences.c.value)
    ).scalar_one()
