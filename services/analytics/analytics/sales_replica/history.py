"""Sales from before the system: a batch of dated lines, checked whole, loaded once.

A line may name the order it was part of (`order_ref`), who bought it (`customer_ref`, a CRM
customer id or e-mail, or the old system's own reference) and the channel it came from. Lines
sharing an `order_ref` are one order, so they must agree on its date, buyer and channel; an
order is then a sale like any other, for RFM, baskets and repeat purchases. Lines without one
count in the product and channel figures only, each as one sale.

A file that is not UTF-8, is not CSV the csv module can read (a field over its size limit),
has other columns than those of a line, more than MAX_LINES lines, or any bad line (a date
that is not YYYY-MM-DD, a quantity that is not a whole number up to MAX_QUANTITY, a revenue
that is not an amount as the API writes one) is refused with every fault by line number, and
nothing is loaded. A batch id is loaded once: the same batch again answers what it loaded the
first time; the same id with other lines is a conflict.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from erp_shared.csv_files import csv_records
from erp_shared.errors import Invalid
from erp_shared.schemas import AMOUNT, MAX_QUANTITY

REQUIRED = ("date", "sku", "quantity")
COLUMNS = (*REQUIRED, "revenue", "order_ref", "customer_ref", "channel")
# What a line's channel is when it names none.
HISTORY_CHANNEL = "history"
MAX_LINES = 100_000
# A revenue as the API writes any amount: "1e30" or "12.345" would overflow or be rounded
# where the figures are stored.
REVENUE = re.compile(AMOUNT)
# The longest text each optional column may hold, as stored.
LENGTHS = {"order_ref": 64, "customer_ref": 254, "channel": 20}
# What lines of one order must agree on, by the name a line gives each.
ORDER_FACTS = {"day": "date", "customer_ref": "customer_ref", "channel": "channel"}
# Where the ids of past orders and of buyers CRM does not know come from: the same
# reference always gives the same id, so a second batch naming an order already loaded is
# told, and a buyer's orders from several batches are one customer's.
PAST_IDS = uuid.UUID("6f0e1c3a-9d2b-5e47-8a61-3c5b2d9e7f10")


@dataclass
class PastOrder:
    """An order of the old system, from its lines."""

    order_ref: str
    order_id: str
    day: date
    customer_ref: str | None
    channel: str
    units: int = 0
    revenue: Decimal = Decimal(0)

    @property
    def placed_at(self) -> datetime:
        return datetime.combine(self.day, time.min, UTC)


def past_order_id(order_ref: str) -> str:
    return str(uuid.uuid5(PAST_IDS, f"order:{order_ref}"))


def external_customer_id(customer_ref: str) -> str:
    """The id of a buyer CRM does not know, from the reference (in any case) they came with."""
    return str(uuid.uuid5(PAST_IDS, f"customer:{customer_ref.lower()}"))


def lines_from_csv(data: bytes) -> list[dict]:
    records = [record for record in csv_records(data) if record]
    header = [name.strip() for name in records[0]] if records else []
    if not header or set(header) - set(COLUMNS) or not set(REQUIRED) <= set(header):
        raise Invalid(
            "The file's columns are not date,sku,quantity and any of "
            "revenue,order_ref,customer_ref,channel.",
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
        value, problems = _checked_line(line)
        if problems:
            faults[str(number)] = problems
        else:
            good.append(value)
    if not faults:
        faults = _disagreeing_orders(good)
    if faults:
        raise Invalid(
            "Some lines of the batch are not valid; nothing was loaded.", {"lines": faults}
        )
    return good


def _checked_line(line: dict) -> tuple[dict, dict]:
    problems = {}
    try:
        day = (
            line["date"]
            if isinstance(line["date"], date)
            else date.fromisoformat(str(line["date"]).strip())
        )
    except (KeyError, ValueError):
        day, problems["date"] = None, ["A date as YYYY-MM-DD."]
    sku = _text(line.get("sku"))
    if not sku or len(sku) > 64:
        problems["sku"] = ["Required, at most 64 characters."]
    try:
        quantity = int(str(line.get("quantity", "")).strip())
        if not 0 <= quantity <= MAX_QUANTITY:
            raise ValueError
    except ValueError:
        quantity, problems["quantity"] = None, [f"A whole number from 0 to {MAX_QUANTITY}."]
    revenue = _text(line.get("revenue")) or "0"
    if not REVENUE.fullmatch(revenue):
        problems["revenue"] = ["An amount such as 19.99, not negative."]
    optional = {name: _text(line.get(name)) or None for name in LENGTHS}
    for name, longest in LENGTHS.items():
        if optional[name] is not None and len(optional[name]) > longest:
            problems[name] = [f"At most {longest} characters."]
    if optional["customer_ref"] is not None and optional["order_ref"] is None:
        problems["customer_ref"] = ["A buyer is an order's: give the line's order_ref too."]
    optional["channel"] = optional["channel"] or HISTORY_CHANNEL
    if problems:
        return {}, problems
    value = {"day": day, "sku": sku, "quantity": quantity, "revenue": Decimal(revenue)}
    return value | optional, problems


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _disagreeing_orders(lines: list[dict]) -> dict:
    """Faults of lines whose order an earlier line of the batch dated, sold to or through
    something else: one order has one date, buyer and channel."""
    first: dict[str, dict] = {}
    faults = {}
    for number, line in enumerate(lines, start=1):
        ref = line["order_ref"]
        if ref is None:
            continue
        earlier = first.setdefault(ref, line)
        differing = [told for name, told in ORDER_FACTS.items() if line[name] != earlier[name]]
        if differing:
            faults[str(number)] = {
                "order_ref": [f"Order {ref} has another {', '.join(differing)} on an earlier line."]
            }
    return faults


def past_orders(lines: list[dict]) -> list[PastOrder]:
    """The batch's orders: its lines with an order_ref, gathered by it."""
    orders: dict[str, PastOrder] = {}
    for line in lines:
        ref = line["order_ref"]
        if ref is None:
            continue
        order = orders.get(ref)
        if order is None:
            order = orders[ref] = PastOrder(
                ref, past_order_id(ref), line["day"], line["customer_ref"], line["channel"]
            )
        order.units += line["quantity"]
        order.revenue += line["revenue"]
    return list(orders.values())
