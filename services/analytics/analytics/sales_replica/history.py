"""Sales from before the system: a batch of dated lines, checked whole, loaded once.

A file that is not UTF-8, is not CSV the csv module can read (a field over its size limit),
has other columns than date,sku,quantity,revenue, more than MAX_LINES lines, or any bad line
(a date that is not YYYY-MM-DD, a quantity that is not a whole number up to MAX_QUANTITY, a
revenue that is not an amount as the API writes one) is refused with every fault by line
number, and nothing is loaded. A batch id is loaded once: the same batch again answers what
it loaded the first time; the same id with other lines is a conflict.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from erp_shared.csv_files import csv_records
from erp_shared.errors import Invalid
from erp_shared.schemas import AMOUNT, MAX_QUANTITY

COLUMNS = ["date", "sku", "quantity", "revenue"]
MAX_LINES = 100_000
# A revenue as the API writes any amount: "1e30" or "12.345" would overflow or be rounded
# where the figures are stored.
REVENUE = re.compile(AMOUNT)


def lines_from_csv(data: bytes) -> list[dict]:
    records = [record for record in csv_records(data) if record]
    header = [name.strip() for name in records[0]] if records else []
    if not header or set(header) - set(COLUMNS) or not {"date", "sku", "quantity"} <= set(header):
        raise Invalid(
            "The file's columns are not date,sku,quantity[,revenue].",
            {"file": [f"Got {','.join(header) or 'nothing'}."]},
        )
    return [dict(zip(header, record, strict=False)) for record in records[1:]]


def checked(lines: list[dict]) -> list[dict]:
    """The batch's lines as values, or every fault at once."""
    if not lines:
        raise Invalid("A batch has at least one line.", {"lines": ["Empty."]})
    if len(lines) > MAX_LINES:
        raise Invalid(
            f"At most {MAX_LINES} lines per batch.", {"lines": [f"{len(lines)}; split it."]}
        )
    good, faults = [], {}
    for number, line in enumerate(lines, start=1):
        problems = {}
        try:
            day = (
                line["date"]
                if isinstance(line["date"], date)
                else date.fromisoformat(str(line["date"]).strip())
            )
        except (KeyError, ValueError):
            problems["date"] = ["A date as YYYY-MM-DD."]
        sku = str(line.get("sku") or "").strip()
        if not sku or len(sku) > 64:
            problems["sku"] = ["Required, at most 64 characters."]
        try:
            quantity = int(str(line.get("quantity", "")).strip())
            if not 0 <= quantity <= MAX_QUANTITY:
                raise ValueError
        except ValueError:
            problems["quantity"] = [f"A whole number from 0 to {MAX_QUANTITY}."]
        revenue = str(line.get("revenue") or "0").strip()
        if not REVENUE.fullmatch(revenue):
            problems["revenue"] = ["An amount such as 19.99, not negative."]
        if problems:
            faults[str(number)] = problems
        else:
            good.append({"day": day, "sku": sku, "quantity": quantity, "revenue": Decimal(revenue)})
    if faults:
        raise Invalid(
            "Some lines of the batch are not valid; nothing was loaded.", {"lines": faults}
        )
    return good
