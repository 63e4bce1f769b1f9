"""Past orders loaded with their buyers count as live orders do: the RFM table, basket rules,
repeat purchases and sales by customer the service answers match those computed here, in
plain Python, from the same orders. Buyers are named by CRM id, by e-mail in any case, or by
a reference CRM does not know; the last become CRM's customers' once CRM registers them."""

from __future__ import annotations

import math
import random
import statistics
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import permutations

import pytest

from analytics.rfm.service import assign_segments
from erp_shared.uow import UnitOfWork
from erp_testing import bearer, deliver, service_app

pytestmark = pytest.mark.integration

SKUS = ["TEA", "CUP", "POT", "HONEY", "LEMON", "SUGAR"]


@pytest.fixture
def app(backend, databases):
    return service_app("analytics", databases.new(backend))


def register(app, email: str) -> str:
    customer_id = str(uuid.uuid4())
    data = {"customer_id": customer_id, "name": email, "email": email, "credit_limit": None}
    deliver(app, "customer.registered", data, "crm")
    return customer_id


def known_history(rng: random.Random, buyers: list[str]) -> list[dict]:
    """Orders of the last two years, 1-4 SKUs each, the same SKU sometimes on two lines."""
    today = datetime.now(UTC).date()
    lines = []
    for number in range(240):
        ref, day = f"OLD-{number:04d}", today - timedelta(days=rng.randrange(0, 730))
        buyer = rng.choice(buyers)
        for sku in rng.sample(SKUS, rng.randint(1, 4)):
            for _ in range(rng.choice((1, 1, 1, 2))):
                quantity = rng.randint(1, 5)
                lines.append(
                    {
                        "order_ref": ref,
                        "customer_ref": buyer,
                        "date": day.isoformat(),
                        "sku": sku,
                        "quantity": quantity,
                        "revenue": f"{quantity * rng.randint(100, 900) / 100:.2f}",
                        "channel": "shop",
                    }
                )
    return lines


def as_csv(lines: list[dict]) -> str:
    columns = ["date", "sku", "quantity", "revenue", "order_ref", "customer_ref", "channel"]
    return "\n".join(
        [",".join(columns)] + [",".join(str(line[c]) for c in columns) for line in lines]
    )


def expected_orders(lines: list[dict], customer_of) -> dict[str, dict]:
    orders: dict[str, dict] = {}
    for line in lines:
        order = orders.setdefault(
            line["order_ref"],
            {"customer": customer_of(line["customer_ref"]), "day": line["date"], "skus": set()},
        )
        order["skus"].add(line["sku"])
        order["revenue"] = order.get("revenue", Decimal(0)) + Decimal(line["revenue"])
    return orders


def expected_rfm(orders: dict[str, dict]) -> dict[str, tuple]:
    """Each measure scored 5 - floor(5 * (customers with a strictly better value) / customers),
    by comparing every customer with every other."""
    today = datetime.now(UTC).date()
    by_customer = defaultdict(list)
    for order in orders.values():
        by_customer[order["customer"]].append(order)
    measures = {
        customer: (
            min((today - datetime.fromisoformat(o["day"]).date()).days for o in placed),
            len(placed),
            sum(o["revenue"] for o in placed),
        )
        for customer, placed in by_customer.items()
    }
    count = len(measures)

    def score(customer, index, higher_is_better):
        mine = measures[customer][index]
        better = sum(
            1
            for other in measures.values()
            if (other[index] > mine if higher_is_better else other[index] < mine)
        )
        return 5 - math.floor(5 * better / count)

    return {
        customer: (
            *values[:2],
            f"{values[2]:.2f}",
            score(customer, 0, False),
            score(customer, 1, True),
            score(customer, 2, True),
        )
        for customer, values in measures.items()
    }


def expected_rules(orders: dict[str, dict], min_support: float, min_confidence: float) -> set:
    baskets = [order["skus"] for order in orders.values()]
    alone = Counter(sku for basket in baskets for sku in basket)
    found = set()
    for a, b in permutations(sorted(alone), 2):
        both = sum(1 for basket in baskets if a in basket and b in basket)
        support, confidence = both / len(baskets), both / alone[a] if alone[a] else 0
        if support >= min_support and confidence >= min_confidence:
            lift = confidence / (alone[b] / len(baskets))
            found.add((a, b, round(support, 4), round(confidence, 4), round(lift, 4)))
    return found


def test_past_orders_give_the_rfm_baskets_and_repeat_purchases_computed_independently(app):
    rng = random.Random(21)
    crm_ids = {name: register(app, f"{name}@example.com") for name in ("ada", "bo", "cy", "di")}
    buyers = [
        crm_ids["ada"],  # by CRM id
        "BO@Example.com",  # by e-mail, in another case
        "cy@example.com",
        crm_ids["di"],
        "legacy-0001",  # buyers CRM does not know
        "legacy-0002",
        "eve@old-shop.example",
        "legacy-0003",
    ]
    lines = known_history(rng, buyers)
    half = len(lines) // 2
    while lines[half]["order_ref"] == lines[half - 1]["order_ref"]:
        half += 1  # an order stays in one batch
    client = app.test_client()
    first = client.post(
        "/api/v1/analytics/history",
        json={"batch_id": "old-1", "lines": lines[:half]},
        headers=bearer(),
    )
    assert first.status_code == 200, first.json
    second = client.post(
        "/api/v1/analytics/history?batch_id=old-2",
        data=as_csv(lines[half:]).encode(),
        headers={**bearer(), "Content-Type": "text/csv"},
    )
    assert second.status_code == 200, second.json

    rfm = client.get("/api/v1/analytics/customers/rfm", headers=bearer()).json["items"]
    strangers = {item["external_ref"]: item["customer_id"] for item in rfm if item["external_ref"]}
    assert set(strangers) == {"legacy-0001", "legacy-0002", "eve@old-shop.example", "legacy-0003"}
    by_email = {f"{name}@example.com": id_ for name, id_ in crm_ids.items()}

    def customer_of(ref: str) -> str:
        return by_email.get(ref.lower()) or strangers.get(ref.lower()) or ref

    orders = expected_orders(lines, customer_of)
    got = {
        item["customer_id"]: (
            item["recency_days"],
            item["frequency"],
            item["monetary"],
            item["r"],
            item["f"],
            item["m"],
        )
        for item in rfm
    }
    assert got == expected_rfm(orders)

    rules = client.get(
        "/api/v1/analytics/basket?min_support=0.1&min_confidence=0.3", headers=bearer()
    ).json["items"]
    found = {
        (r["antecedent"][0], r["consequent"][0], r["support"], r["confidence"], r["lift"])
        for r in rules
    }
    assert found == expected_rules(orders, 0.1, 0.3)
    assert found  # the example does have rules to find

    repeat = client.get(
        "/api/v1/analytics/customers/repeat-purchases?per_page=200", headers=bearer()
    ).json
    days = defaultdict(set)
    for order in orders.values():
        days[order["customer"]].add(datetime.fromisoformat(order["day"]).date())
    medians = {
        customer: statistics.median(
            (later - earlier).days for earlier, later in zip(sorted(d), sorted(d)[1:], strict=False)
        )
        for customer, d in days.items()
        if len(d) > 1
    }
    assert {i["customer_id"]: i["median_days_between"] for i in repeat["items"]} == medians
    assert repeat["summary"]["customers"] == len(days)
    assert repeat["summary"]["repeat_customers"] == len(medians)

    year_ago = (datetime.now(UTC).date() - timedelta(days=800)).isoformat()
    sales = client.get(
        f"/api/v1/analytics/sales?from={year_ago}&granularity=month&group_by=customer",
        headers=bearer(),
    ).json["items"]
    revenue = defaultdict(Decimal)
    for item in sales:
        revenue[item["key"]] += Decimal(item["revenue"])
    spent = defaultdict(Decimal)
    for order in orders.values():
        spent[order["customer"]] += order["revenue"]
    assert revenue == spent

    with UnitOfWork(app.extensions["erp_engine"], "analytics") as uow:
        assert assign_segments(uow) == 4  # CRM's four; the strangers have no CRM record


def test_a_buyer_crm_registers_later_takes_over_their_past_orders(app):
    today = datetime.now(UTC).date().isoformat()
    lines = [
        {"order_ref": "A-1", "customer_ref": "Zoe@Old.example", "date": today, "sku": "TEA"}
        | {"quantity": 2, "revenue": "8.00"}
    ]
    client = app.test_client()
    assert (
        client.post(
            "/api/v1/analytics/history", json={"batch_id": "z", "lines": lines}, headers=bearer()
        ).status_code
        == 200
    )
    before = client.get("/api/v1/analytics/customers/rfm", headers=bearer()).json["items"]
    assert [i["external_ref"] for i in before] == ["zoe@old.example"]

    zoe = register(app, "zoe@old.example")
    after = client.get("/api/v1/analytics/customers/rfm", headers=bearer()).json["items"]
    assert [(i["customer_id"], i["external_ref"], i["monetary"]) for i in after] == [
        (zoe, None, "8.00")
    ]
    sales = client.get(
        f"/api/v1/analytics/sales?from={today}&to={today}&group_by=customer", headers=bearer()
    ).json["items"]
    assert [(i["key"], i["revenue"]) for i in sales] == [(zoe, "8.00")]


def test_an_order_already_loaded_or_told_two_ways_is_refused_and_nothing_loads(app):
    client = app.test_client()
    line = {"order_ref": "A-1", "customer_ref": "x", "date": "2025-03-01", "sku": "TEA"}
    line |= {"quantity": 1, "revenue": "4.00"}
    assert (
        client.post(
            "/api/v1/analytics/history", json={"batch_id": "one", "lines": [line]}, headers=bearer()
        ).status_code
        == 200
    )

    again = client.post(
        "/api/v1/analytics/history",
        json={"batch_id": "two", "lines": [line | {"order_ref": "A-2"}, line]},
        headers=bearer(),
    )
    assert again.status_code == 409
    assert again.json["errors"]["order_ref"] == ["A-1"]

    torn = client.post(
        "/api/v1/analytics/history",
        json={
            "batch_id": "three",
            "lines": [
                line | {"order_ref": "B-1"},
                line | {"order_ref": "B-1", "date": "2025-03-02"},
            ],
        },
        headers=bearer(),
    )
    assert torn.status_code == 422
    assert "date" in torn.json["errors"]["lines"]["2"]["order_ref"][0]
    rfm = client.get("/api/v1/analytics/customers/rfm", headers=bearer()).json["items"]
    assert [item["frequency"] for item in rfm] == [1]  # only batch "one" loaded
