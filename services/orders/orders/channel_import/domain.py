"""Orders from a channel's CSV file, free of Flask and SQL: what a valid file is.

`external_ref,customer_id,channel,sku,quantity`, one line per order line: the lines of one
external reference make one order. A file that cannot be read as a whole (not UTF-8, not CSV
the csv module reads, such as a field over its size limit, wrong header, empty, more than
MAX_LINES lines) is refused and nothing is imported; otherwise every row is judged, rows are
reported by their line number in the file (the header is line 1), and an order is created
only when all of its rows are good.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from erp_shared.csv_files import csv_records
from erp_shared.errors import Invalid
from orders.channels import CHANNELS

HEADER = ["external_ref", "customer_id", "channel", "sku", "quantity"]
MAX_LINES = 10_000


@dataclass
class ImportRow:
    line: int
    external_ref: str
    customer_id: str
    channel: str
    sku: str
    quantity: int | None
    errors: dict[str, list[str]] = field(default_factory=dict)


def read_rows(data: bytes) -> list[ImportRow]:
    records = csv_records(data)
    if not records or not any(field.strip() for field in records[0]):
        raise Invalid("The file is empty.", {"file": ["No header and no rows."]})
    header = [name.strip() for name in records[0]]
    if header != HEADER:
        raise Invalid(
            "The file's header is not the expected one.",
            {"file": [f"Expected {','.join(HEADER)}; got {','.join(header)}."]},
        )
    body = [(number, record) for number, record in enumerate(records[1:], start=2) if record]
    if not body:
        raise Invalid("The file has no order lines.", {"file": ["Only a header."]})
    if len(body) > MAX_LINES:
        raise Invalid(
            f"At most {MAX_LINES} order lines per file.",
            {"file": [f"{len(body)} lines; split the file."]},
        )
    return [_row(number, record) for number, record in body]


def _row(number: int, record: list[str]) -> ImportRow:
    values = [value.strip() for value in record] + [""] * (len(HEADER) - len(record))
    ref, customer, channel, sku, quantity = values[:5]
    row = ImportRow(number, ref, customer, channel, sku, None)
    if len(record) > len(HEADER):
        row.errors["row"] = [f"{len(record)} fields; {len(HEADER)} expected."]
    for name, value, limit in (
        ("external_ref", ref, 64),
        ("customer_id", customer, 36),
        ("sku", sku, 64),
    ):
        if not value or len(value) > limit:
            row.errors[name] = [f"Required, at most {limit} characters."]
    if channel not in CHANNELS:
        row.errors["channel"] = [f"One of {', '.join(CHANNELS)}."]
    try:
        row.quantity = int(quantity)
        if not 1 <= row.quantity <= 1_000_000:
            raise ValueError
    except ValueError:
        row.errors["quantity"] = ["A whole number from 1 to 1000000."]
    return row


def orders_in(rows: list[ImportRow]) -> dict[str, list[ImportRow]]:
    """The rows of each external reference, in the order first seen; rows of one order that
    disagree on its customer or channel are errors."""
    grouped: dict[str, list[ImportRow]] = {}
    for row in rows:
        grouped.setdefault(row.external_ref, []).append(row)
    for group in grouped.values():
        first = group[0]
        for row in group[1:]:
            if (row.customer_id, row.channel) != (first.customer_id, first.channel):
                row.errors["external_ref"] = [
                    f"Line {first.line} gives this order another customer or channel."
                ]
    return grouped
