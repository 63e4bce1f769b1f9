"""Sales from before the system: a batch of dated lines, checked whole, loaded once.

A file that is not UTF-8, has other columns than date,sku,quantity,revenue, more than
MAX_LINES lines, or any bad line (a date that is not YYYY-MM-DD, a negative or fractional
quantity, a negative revenue) is refused with every fault by line number, and nothing is
loaded. A batch id is loaded once: the same batch again answers what it loaded the first
time; the same id with other lines is a conflict.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from erp_shared.errors import Invalid

COLUMNS = ["date", "sku", "quantity", "revenue"]
MAX_LINES = 100_000


def lines_from_csv(data: bytes) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("The file is not UTF-8 text.", {"file": ["Not UTF-8."]}) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header or set(header) - set(COLUMNS) or not {"date", "sku", "quantity"} <= set(header):
        raise Invalid(
            "The file's columns are not date,sku,quantity[,revenue].",
            {"file": [f"Got {','.join(header) or 'nothing'}."]},
        )
    return [dict(row) for row in reader]


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
            if quantity < 0:
                raise ValueError
        except ValueError:
            problems["quantity"] = ["A whole number, not negative."]
        try:
            revenue = Decimal(str(line.get("revenue") or "0").strip())
            if revenue < 0 or not revenue.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems["revenue"] = ["An amount, not negative."]
        if problems:
            faults[str(number)] = problems
        else:
            good.append({"day": day, "sku": sku, "quantity": quantity, "revenue": revenue})
    if faults:
        raise Invalid(
            "Some lines of the batch are not valid; nothing was loaded.", {"lines": faults}
        )
    return good
