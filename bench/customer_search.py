"""Benchmark: finding a customer among 100,000 by any part of a name, email, company or phone.

`make bench` runs it (or `.venv/bin/python bench/customer_search.py`). The CRM's Flask app in
process on a fresh database (SQLite under var/, or --postgres) with --customers customers,
then `GET /api/v1/customers?q=` with --queries fragments of real names, emails, companies and
phones (some with accents or capitals the data does not have). Timing is printed, never
asserted; the JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, text

from crm.customers.domain import searchable
from crm.tables import customers
from erp_testing import bearer, scratch_database, service_app

REPO = Path(__file__).resolve().parent.parent
FIRST = [
    "Zoë",
    "Ana",
    "José",
    "Léa",
    "Ömer",
    "Chen",
    "Grace",
    "Ada",
    "Ivan",
    "Noor",
    "Emil",
    "Sofía",
]
LAST = ["Müller", "García", "Nguyen", "Smith", "Kowalski", "Rossi", "Dubois", "Okafor", "Hansen"]
WORDS = ["Acme", "Nordic", "Blue", "Café", "Atlas", "Pixel", "Summit", "River", "Orbit", "Forge"]


def people(count: int, rng: random.Random):
    now = datetime.now(UTC)
    for n in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}-{n}"
        company = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n % 977}"
        phone = f"+44 20 {rng.randrange(10**7):07d}"
        email = f"{searchable(name).replace(' ', '.')}@{rng.choice(WORDS).lower()}.example"
        yield {
            "id": str(uuid.uuid4()),
            "name": name,
            "email": email,
            "phone": phone,
            "company": company,
            "tags": [],
            "blocked": False,
            "search_text": searchable(name, email, company, phone),
            "created_at": now,
            "updated_at": now,
        }


def seed(engine, count: int, rng: random.Random) -> list[dict]:
    rows = list(people(count, rng))
    with engine.begin() as conn:
        for start in range(0, count, 20_000):
            batch = rows[start : start + 20_000]
            conn.execute(insert(customers), batch)
            if conn.dialect.name == "sqlite":
                conn.execute(
                    text("INSERT INTO customer_search (customer_id, search_text) VALUES (:id, :t)"),
                    [{"id": row["id"], "t": row["search_text"]} for row in batch],
                )
    return rows


def fragments(rows: list[dict], count: int, rng: random.Random) -> list[str]:
    """Parts of a real customer's details, as someone at a desk would type them."""
    picks = []
    for row in rng.sample(rows, count):
        field = rng.choice(["name", "email", "company", "phone"])
        value = row[field]
        start = rng.randrange(max(1, len(value) - 6))
        picks.append(value[start : start + rng.randint(5, 8)].upper())
    return picks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    rng = random.Random(5)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"bench-search-{stamp}"
    with scratch_database(scratch, "crm", args.postgres) as url:
        app = service_app("crm", url)
        started = time.perf_counter()
        rows = seed(app.extensions["erp_engine"], args.customers, rng)
        print(f"seeded {args.customers} customers in {time.perf_counter() - started:.0f}s")
        client, times, found = app.test_client(), [], 0
        for q in fragments(rows, args.queries, rng):
            began = time.perf_counter()
            answer = client.get("/api/v1/customers", query_string={"q": q}, headers=bearer())
            times.append((time.perf_counter() - began) * 1000)
            found += answer.json["total"] > 0
        app.extensions["erp_engine"].dispose()
    ordered = sorted(times)
    result = {
        k: round(ordered[math.ceil(p / 100 * len(ordered)) - 1], 2)
        for k, p in (("p50", 50), ("p95", 95), ("p99", 99))
    }
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"{'search p50 / p95 / p99 ms':<40} {result['p50']} / {result['p95']} / {result['p99']}")
    print(f"{'queries that found someone':<40} {found} of {args.queries}")
    output = REPO / "bench" / "results" / f"customer_search-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {"at": stamp, "backend": backend, **vars(args), **result, "found": found}, indent=2
        )
        + "\n"
    )
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
