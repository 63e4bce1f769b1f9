"""Drawing a quantity down from sources in turn: the one rule behind a FIFO issue (lots oldest
first), a reservation line split over warehouses (most available first), a shipment from an
order's held lines (in line order) and a return (what the order took, last taken first).

Each caller says which sources and in which order, which is its business rule; how much leaves
each source is this function's, so no caller can take more than a source has or stop short of
the quantity without saying how much is missing. Pure: no SQL, no Flask, nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

S = TypeVar("S")


@dataclass(frozen=True)
class Drawn(Generic[S]):
    """Which sources give how many units (none gives zero), and how many none could give."""

    taken: list[tuple[S, int]]
    missing: int

    @property
    def covered(self) -> bool:
        return self.missing == 0


def draw_down(sources: Iterable[S], quantity: int, holds: Callable[[S], int]) -> Drawn[S]:
    """Take up to `quantity` units from `sources` in the order given, each giving what it
    `holds` (at most) until the quantity is covered; sources after that give nothing."""
    taken, wanted = [], quantity
    for source in sources:
        if wanted <= 0:
            break
        units = min(holds(source), wanted)
        if units > 0:
            taken.append((source, units))
            wanted -= units
    return Drawn(taken, max(wanted, 0))
