"""How we stand against competitors, free of Flask and SQL.

For a SKU: each competitor's latest observed price (for the SKU, else for its category) and
our price index against it, 100 x our price / their price (above 100 we are dearer); and our
share of the units sold in the window, ours / (ours + what competitors were seen to sell).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

WINDOW_DAYS = 30


@dataclass(frozen=True)
class Observation:
    competitor: str
    price: Decimal
    currency: str
    observed_at: datetime
    units_sold: int | None


def latest_by_competitor(observations: list[Observation]) -> list[Observation]:
    latest: dict[str, Observation] = {}
    for seen in sorted(observations, key=lambda o: o.observed_at):
        latest[seen.competitor] = seen
    return [latest[name] for name in sorted(latest)]


def comparison(
    sku: str, our_price: Decimal | None, our_units: int, observations: list[Observation]
) -> dict:
    latest = latest_by_competitor(observations)
    theirs = sum(seen.units_sold or 0 for seen in latest)
    sold = our_units + theirs
    return {
        "sku": sku,
        "our_price": our_price,
        "competitors": [
            {
                "competitor": seen.competitor,
                "price": seen.price,
                "currency": seen.currency,
                "observed_at": seen.observed_at,
                "price_index": round(float(100 * our_price / seen.price), 1)
                if our_price and seen.price
                else None,
            }
            for seen in latest
        ],
        "our_units": our_units,
        "competitor_units": theirs,
        "share": round(our_units / sold, 4) if sold else None,
    }
