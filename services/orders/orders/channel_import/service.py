"""Importing a channel's orders from CSV: each order all or nothing, each reference once.

The whole file is one unit of work; each order is placed in its savepoint, so a refused order
undoes only itself (and the unit of work forgets it). Each (channel, external reference) is
claimed once (erp_shared.idempotency): a file sent again creates nothing and reports its
orders as duplicates.
"""

from __future__ import annotations

from erp_shared import idempotency
from erp_shared.errors import Refused
from erp_shared.uow import UnitOfWork
from orders.channel_import.domain import ImportRow, orders_in, read_rows
from orders.pricing import TaxRates
from orders.sales import service as sales

SCOPE = "orders.import"


def import_orders(uow: UnitOfWork, data: bytes, caller: str, taxes: TaxRates) -> dict:
    result = {"created": 0, "duplicates": 0, "errors": []}
    for ref, rows in orders_in(read_rows(data)).items():
        bad = [row for row in rows if row.errors]
        if bad:
            result["errors"] += [{"row": row.line, "errors": row.errors} for row in bad]
            continue
        request = {
            "customer_id": rows[0].customer_id,
            "channel": rows[0].channel,
            "external_ref": ref,
            "lines": [{"sku": row.sku, "quantity": row.quantity} for row in rows],
        }
        key = f"{rows[0].channel}:{ref}"
        try:
            with uow.savepoint():
                if idempotency.first_time(uow.conn, SCOPE, key, request) is not None:
                    result["duplicates"] += 1
                    continue
                order = sales.place_order(uow, request, caller, taxes)
                idempotency.remember(uow.conn, SCOPE, key, order.id)
        except Refused as refusal:
            result["errors"] += _row_errors(rows, refusal)
            continue
        result["created"] += 1
    result["errors"].sort(key=lambda error: error["row"])
    return result


def _row_errors(rows: list[ImportRow], refusal: Refused) -> list[dict]:
    """A refusal naming lines by position is told on those rows; any other on every row."""
    by_line = (refusal.errors or {}).get("lines")
    if isinstance(by_line, dict):
        return [
            {"row": rows[int(index)].line, "errors": errors}
            for index, errors in by_line.items()
            if index.isdigit() and int(index) < len(rows)
        ]
    errors = refusal.errors or {"order": [refusal.detail]}
    return [{"row": row.line, "errors": errors} for row in rows]
