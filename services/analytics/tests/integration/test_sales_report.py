"""The sales report equals a plain computation over the same generated orders, whatever order
their events arrive in, with cancellations, rejections, returns, credit notes and the cost of
the goods issued."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from analytics.domain import month_of, week_of
from analytics.handlers import HANDLERS
from analytics.tables import (
    customer_segments,
    products,
    sales_adjustments,
    sales_daily,
    sales_lines,
    sales_orders,
    sales_rollups,
)
from erp_shared.bus import Consumer
from erp_shared.events import parse_event
from erp_shared.idempotency import idempotency_keys
from erp_testing import bearer, deliver, service_app

pytestmark = pytest.mark.integration

SETTLED = ("confirmed", "rejected", "cancelled")

SKUS = {"A": "tools", "B": "tools", "C": "toys", "D": None}
START = date(2026, 6, 1)


@pytest.fixture
def app(backend, databases):
    return service_app("analytics", databases.new(backend))


def generated_orders(rng: random.Random, count: int) -> list[dict]:
    orders = []
    for n in range(count):
        skus = rng.sample(sorted(SKUS), rng.randint(1, 3))
        lines = [
            {"sku": sku, "quantity": rng.randint(1, 5), "unit_price": f"{rng.randint(1, 99)}.50"}
            for sku in skus
        ]
        day = START + timedelta(days=rng.randrange(90))
        orders.append(
            {
                "order_id": f"o-{n}",
                "customer_id": f"c-{rng.randrange(6)}",
                "channel": rng.choice(["web", "phone", "store"]),
                "lines": lines,
                "placed_at": datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
                # How its life went: what the orders service said after placing it.
                "statuses": rng.choice(
                    [
                        ["confirmed"],
                        ["confirmed", "cancelled"],
                        ["rejected"],
                        [],
                        ["confirmed", "shipped"],
                        ["cancelled"],
                    ]
                ),
            }
        )
    return orders


def aftermath(rng: random.Random, orders: list[dict]) -> None:
    """Shipped orders' goods left at a cost; some units came back, resellable (back on the
    shelf at the cost they left with) or damaged, for a refund (a credit note) or in exchange
    for a free replacement order, whose goods leave at a cost of their own."""
    replacements = []
    for order in orders:
        if order["statuses"][-1:] != ["shipped"]:
            continue
        unit_costs = {line["sku"]: Decimal(rng.randint(100, 900)) / 100 for line in order["lines"]}
        order["costs"] = {
            line["sku"]: unit_costs[line["sku"]] * line["quantity"] for line in order["lines"]
        }
        if rng.random() < 0.5:
            line = order["lines"][0]
            order["returned"] = {
                "sku": line["sku"],
                "unit_price": line["unit_price"],
                "unit_cost": unit_costs[line["sku"]],
                "condition": rng.choice(["resellable", "damaged"]),
                "resolution": rng.choice(["refund", "exchange"]),
            }
            if order["returned"]["resolution"] == "exchange":
                replacements.append(
                    {
                        **order,
                        "order_id": f"x-{order['order_id']}",
                        "replaces_return_id": f"r-{order['order_id']}",
                        "lines": [{"sku": line["sku"], "quantity": 1, "unit_price": "0.00"}],
                        "placed_at": order["placed_at"] + timedelta(days=3),
                        "statuses": ["confirmed", "shipped"],
                        "costs": {line["sku"]: Decimal(rng.randint(100, 900)) / 100},
                        "returned": {},
                    }
                )
    orders += replacements


def events_of(order: dict) -> list[tuple[str, dict, datetime]]:
    subtotal = sum(Decimal(line["unit_price"]) * line["quantity"] for line in order["lines"])
    placed = {
        "order_id": order["order_id"],
        "number": f"SO-{order['order_id']}",
        "customer_id": order["customer_id"],
        "channel": order["channel"],
        "lines": order["lines"],
        "subtotal": str(subtotal),
        "total": str(subtotal),
        "currency": "EUR",
        "replaces_return_id": order.get("replaces_return_id"),
    }
    at = order["placed_at"]
    happened = []
    for step, status in enumerate(order["statuses"], start=1):
        data = {"order_id": order["order_id"]}
        if status in SETTLED:  # a decision or a cancellation carries the order itself
            data |= {**placed, "placed_at": at}
        if status == "shipped":
            data["lines"] = [
                {"sku": line["sku"], "quantity": line["quantity"]} for line in order["lines"]
            ]
        happened.append((f"order.{status}", data, at + timedelta(minutes=step)))
    later = at + timedelta(days=2)
    if "costs" in order:
        costs = [
            {"sku": sku, "quantity": 1, "cost": str(cost)} for sku, cost in order["costs"].items()
        ]
        happened.append(("stock.issued", {"order_id": order["order_id"], "lines": costs}, later))
    returned = order.get("returned")
    if returned:
        sku, price = returned["sku"], returned["unit_price"]
        return_id = f"r-{order['order_id']}"
        back = {
            "return_id": return_id,
            "order_id": order["order_id"],
            "resolution": returned["resolution"],
            "lines": [{"sku": sku, "quantity": 1, "condition": returned["condition"]}],
        }
        happened.append(("return.received", back, later))
        if returned["condition"] == "resellable":
            cost = str(returned["unit_cost"])
            restocked = {"sku": sku, "quantity": 1, "cost": cost}
            happened.append(
                (
                    "stock.restocked",
                    {"return_id": return_id, "order_id": order["order_id"], "lines": [restocked]},
                    later,
                )
            )
        if returned["resolution"] == "refund":
            credit = {
                "invoice_id": f"cn-{order['order_id']}",
                "number": f"CN-{order['order_id']}",
                "kind": "credit_note",
                "order_id": order["order_id"],
                "customer_id": order["customer_id"],
                "total": price,
                "subtotal": price,
                "currency": "EUR",
                "lines": [{"sku": sku, "quantity": 1, "unit_price": price}],
            }
            happened.append(("invoice.issued", credit, later))
    return happened


def expected(orders, start, end, granularity, group_by):
    period_of = {"day": lambda d: d, "week": week_of, "month": month_of}[granularity]
    figures = defaultdict(lambda: [set(), 0, Decimal(0), 0, Decimal(0), Decimal(0)])
    for order in orders:
        placed = order["placed_at"].date()
        if order["statuses"][-1:] not in (["confirmed"], ["shipped"]) or not (
            start <= placed <= end
        ):
            continue
        returned = order.get("returned") or {}
        sale = "replaces_return_id" not in order  # a replacement adds its goods' cost only
        for line in order["lines"]:
            if group_by == "product":
                key = line["sku"]
            elif group_by == "category":
                key = SKUS[line["sku"]] or "uncategorised"
            else:
                key = order[{"customer": "customer_id", "channel": "channel"}[group_by]]
            cell = figures[(period_of(placed).isoformat(), key)]
            order_key = (
                (order["order_id"], line["sku"]) if group_by == "category" else order["order_id"]
            )
            if sale:
                cell[0].add(order_key)
                cell[1] += line["quantity"]
                cell[2] += Decimal(line["unit_price"]) * line["quantity"]
            cell[5] += order.get("costs", {}).get(line["sku"], Decimal(0))
            if returned.get("sku") != line["sku"]:
                continue
            cell[3] += 1
            if returned["resolution"] == "refund":
                cell[4] += Decimal(line["unit_price"])
            if returned["condition"] == "resellable":
                cell[5] -= returned["unit_cost"]
    return [
        {
            "period": period,
            "key": key,
            "orders": len(ids),
            "units": units,
            "revenue": f"{revenue:.2f}",
            "returned_units": returned,
            "net_revenue": f"{revenue - credited:.2f}",
            "cost": f"{cost:.2f}",
            "margin": f"{revenue - credited - cost:.2f}",
            "returns_rate": round(returned / units, 4) if units else 0.0,
        }
        for (period, key), (ids, units, revenue, returned, credited, cost) in sorted(
            figures.items()
        )
    ]


def test_sales_by_every_period_and_key_match_a_plain_computation(app):
    rng = random.Random(42)
    for sku, category in SKUS.items():
        deliver(
            app,
            "product.created",
            {
                "sku": sku,
                "name": sku,
                "unit_price": "1.00",
                "currency": "EUR",
                "category": category,
            },
        )
    orders = generated_orders(rng, 80)
    aftermath(rng, orders)
    events = [event for order in orders for event in events_of(order)]
    rng.shuffle(events)  # no global order: a shipment may come before its confirmation
    for event_type, data, at in events:
        producer = "inventory" if event_type.startswith("stock.") else "orders"
        deliver(app, event_type, data, producer, occurred_at=at)

    client = app.test_client()
    # Whole months and weeks come from the rollups, the part periods at either end from days.
    for start, end in (
        (date(2026, 6, 1), date(2026, 9, 30)),
        (date(2026, 6, 10), date(2026, 8, 19)),
    ):
        for granularity in ("day", "week", "month"):
            for group_by in ("product", "customer", "channel", "category"):
                answer = client.get(
                    f"/api/v1/analytics/sales?from={start}&to={end}"
                    f"&granularity={granularity}&group_by={group_by}",
                    headers=bearer(),
                )
                assert answer.status_code == 200, answer.json
                want = expected(orders, start, end, granularity, group_by)
                assert answer.json["items"] == want, (start, granularity, group_by)
                assert answer.json["total"] == len(want)
        second_page = client.get(
            f"/api/v1/analytics/sales?from={start}&to={end}&granularity=day&page=2&per_page=7",
            headers=bearer(),
        )
        assert second_page.json["items"] == expected(orders, start, end, "day", "product")[7:14]
        summary = client.get(f"/api/v1/analytics/summary?from={start}&to={end}", headers=bearer())
        by_channel = expected(orders, start, end, "day", "channel")
        for figure in ("orders", "units", "returned_units"):
            assert summary.json[figure] == sum(row[figure] for row in by_channel)
        for figure in ("revenue", "net_revenue", "cost", "margin"):
            total = sum(Decimal(row[figure]) for row in by_channel)
            assert Decimal(summary.json[figure]) == total, figure


def report(client) -> dict:
    reports = {}
    for granularity in ("day", "month"):
        for group_by in ("product", "customer", "channel", "category"):
            query = f"from=2026-06-01&to=2026-09-30&granularity={granularity}&group_by={group_by}"
            reports[query] = client.get(f"/api/v1/analytics/sales?{query}", headers=bearer()).json
    summary = "from=2026-06-01&to=2026-09-30"
    reports[summary] = client.get(f"/api/v1/analytics/summary?{summary}", headers=bearer()).json
    return reports


def test_dropping_the_read_models_and_replaying_the_events_rebuilds_identical_reports(app):
    rng = random.Random(7)
    orders = generated_orders(rng, 40)
    aftermath(rng, orders)
    events = [event for order in orders for event in events_of(order)]
    for sku, category in SKUS.items():
        events.append(
            (
                "product.created",
                {
                    "sku": sku,
                    "name": sku,
                    "unit_price": "1.00",
                    "currency": "EUR",
                    "category": category,
                },
                datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
    rng.shuffle(events)
    envelopes = [deliver(app, t, data, "orders", occurred_at=at) for t, data, at in events]
    client = app.test_client()
    before = report(client)
    assert before["from=2026-06-01&to=2026-09-30"]["returns_rate"] > 0

    with app.extensions["erp_engine"].begin() as conn:
        for table in (
            sales_daily,
            sales_rollups,
            sales_adjustments,
            sales_lines,
            sales_orders,
            products,
            customer_segments,
        ):
            conn.execute(table.delete())
        conn.execute(idempotency_keys.delete())
    rng.shuffle(envelopes)  # and in another order than the first time
    consumer = Consumer(app.extensions["erp_engine"], app.extensions["erp_settings"], HANDLERS)
    consumer.apply([parse_event(envelope) for envelope in envelopes])
    assert report(client) == before


def test_bad_report_queries_are_422(app):
    client = app.test_client()
    for query in ("granularity=year", "group_by=colour", "from=2026-02-01&to=2026-01-01"):
        answer = client.get(f"/api/v1/analytics/sales?{query}", headers=bearer())
        assert answer.status_code == 422, query


def test_a_merged_customer_s_sales_count_as_the_survivor_s(app):
    at = datetime(2026, 7, 1, 10, tzinfo=UTC)
    for order_id, customer in (("m-1", "twin"), ("m-2", "ada"), ("m-3", "twin")):
        placed = {
            "order_id": order_id,
            "number": order_id,
            "customer_id": customer,
            "channel": "web",
            "lines": [{"sku": "A", "quantity": 1, "unit_price": "5.00"}],
            "subtotal": "5.00",
            "total": "5.00",
            "currency": "EUR",
        }
        deliver(app, "order.confirmed", {**placed, "placed_at": at}, "orders", occurred_at=at)
    deliver(app, "customer.merged", {"customer_id": "twin", "survivor_id": "ada"}, "crm")
    answer = app.test_client().get(
        "/api/v1/analytics/sales?from=2026-07-01&to=2026-07-31&group_by=customer",
        headers=bearer(),
    )
    assert [(i["key"], i["orders"], i["revenue"]) for i in answer.json["items"]] == [
        ("ada", 3, "15.00")
    ]
