"""Benchmark: RFM scores of --customers customers (100,000 by default), the step of the
segment chore that ranks every customer on recency, frequency and monetary value.

`make bench` runs it (or `.venv/bin/python bench/rfm_scoring.py`). The purchases are made up
(seeded), with many ties, as real ones have; the scoring (analytics.rfm.domain.score) runs
three times and the fastest and slowest are printed. Timing is printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from analytics.rfm.domain import Purchases, score


def purchases(count: int, today) -> list[Purchases]:
    rng = random.Random(7)
    return [
        Purchases(
            f"c{n}",
            today - timedelta(days=rng.randint(0, 720)),
            rng.randint(1, 40),
            Decimal(rng.randint(100, 500_000)) / 100,
        )
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    options = parser.parse_args()
    today = datetime.now(UTC).date()
    bought = purchases(options.customers, today)
    took = []
    for _ in range(3):
        started = time.perf_counter()
        score(bought, today)
        took.append(time.perf_counter() - started)
    print(
        f"rfm: {options.customers:,} customers scored in {min(took) * 1000:.0f}"
        f"-{max(took) * 1000:.0f} ms (goal: under 2,000 ms)"
    )


if __name__ == "__main__":
    main()
