"""Gap-free numbers per year for orders and invoices: the one counter table of the service.

The counter row stays locked until the transaction that took a number commits, so a number
is never skipped (a rolled-back transaction gives its number back) nor handed out twice.
Concurrent numbering queues on that row: the price of having no gaps.
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy.engine import Connection

from erp_shared.db import built_once
from orders.tables import sequences


@built_once
def _take_number(insert):
    statement = insert(sequences).values(name=bindparam("name"), value=1)
    return statement.on_conflict_do_update(
        index_elements=[sequences.c.name], set_={"value": sequences.c.value + 1}
    ).returning(sequences.c.value)


def next_number(conn: Connection, series: str, year: int) -> int:
    return conn.execute(_take_number(conn), {"name": f"{series}-{year}"}).scalar_one()
