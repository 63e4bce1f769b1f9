"""A customer notes what it changed and what that announces, for the unit of work to save and
send at the commit; what changed nothing is neither saved nor announced."""

from datetime import UTC, datetime

from crm.customers.domain import Customer

NOON = datetime(2026, 11, 29, 12, tzinfo=UTC)


def registered(id: str, **details) -> Customer:
    return Customer.register(id, {"name": id, "email": f"{id}@example.com"} | details, NOON)


def test_a_merge_changes_both_records_and_announces_each():
    merged, survivor = registered("dup", tags=["vip"]), registered("ada")
    merged.merge_into(survivor, NOON)
    assert merged.changed and survivor.changed
    assert survivor.tags == ["vip"]
    assert [event for event, _ in merged.pending_events][-1] == "customer.merged"
    assert [event for event, _ in survivor.pending_events][-1] == "customer.updated"


def test_erasing_twice_changes_and_announces_once():
    customer = registered("ada")
    customer.pending_events.clear()
    customer.erase(NOON)
    customer.changed = False  # saved
    customer.erase(NOON)
    assert not customer.changed
    assert customer.pending_events == [("customer.erased", {"customer_id": "ada"})]
