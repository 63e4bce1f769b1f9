"""Stock rules, free of Flask and SQL.

A reservation takes every line of an order or none: a half-reserved order would hold stock
that no customer can receive. Each line is taken from one warehouse, the one with the most
available, so a picker never has to split a line between sites.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

DEFAULT_WAREHOUSE = "MAIN"


@dataclass(frozen=True)
class Allocation:
    sku: str
    warehouse: str
    quantity: int


@dataclass(frozen=True)
class Shortage:
    sku: str
    requested: int
    available: int


def requested_quantities(lines) -> dict[str, int]:
    """Order lines for the same SKU are reserved as one."""
    wanted: Counter[str] = Counter()
    for line in lines:
        wanted[line["sku"]] += line["quantity"]
    return dict(wanted)


def plan_reservation(
    requested: dict[str, int], available: dict[str, dict[str, int]]
) -> tuple[list[Allocation], list[Shortage]]:
    """Allocate each SKU from a single warehouse; any shortage rejects the whole order."""
    allocations, shortages = [], []
    for sku in sorted(requested):
        quantity = requested[sku]
        by_warehouse = available.get(sku, {})
        best = max(
            by_warehouse.items(),
            key=lambda item: (item[1], item[0] == DEFAULT_WAREHOUSE),
            default=None,
        )
        if best is not None and best[1] >= quantity:
            allocations.append(Allocation(sku, best[0], quantity))
        else:
            shortages.append(Shortage(sku, quantity, sum(by_warehouse.values())))
    return (allocations, []) if not shortages else ([], shortages)


def shortage_reason(shortages: list[Shortage]) -> str:
    parts = [f"{s.sku}: requested {s.requested}, available {s.available}" for s in shortages]
    return "insufficient stock (" + "; ".join(parts) + ")"
