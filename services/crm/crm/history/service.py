"""A customer's whole history across the CRM: the timeline, and merging two records of one
customer. Each takes the caller's unit of work."""

from __future__ import annotations

from crm.customers import service as customers
from crm.purchases import service as purchases
from crm.tickets import service as tickets
from erp_shared.uow import UnitOfWork


def timeline(uow: UnitOfWork, customer_id: str, offset: int, limit: int):
    """Interactions, orders, returns and tickets of one customer, newest first."""
    customers.get_customer(uow, customer_id)
    interactions, _ = customers.interactions_of(uow, customer_id, 0, 10_000)
    entries = [
        {
            "kind": "interaction",
            "at": i["occurred_at"],
            "id": i["id"],
            "channel": i["channel"],
            "summary": i["summary"],
        }
        for i in interactions
    ]
    entries += [
        {
            "kind": "order",
            "at": o["placed_at"] or o["changed_at"],
            "id": o["order_id"],
            "summary": f"Order {o['number'] or o['order_id']}: {o['status']}",
            "status": o["status"],
        }
        for o in purchases.orders_of(uow, customer_id)
    ]
    entries += [
        {
            "kind": "return",
            "at": r["changed_at"],
            "id": r["return_id"],
            "summary": f"Return ({r['resolution']}): {r['status']}",
            "status": r["status"],
        }
        for r in purchases.returns_of(uow, customer_id)
    ]
    entries += [
        {
            "kind": "ticket",
            "at": t["created_at"],
            "id": t["id"],
            "summary": f"Ticket: {t['subject']}",
            "status": t["status"],
        }
        for t in tickets.tickets_of(uow, customer_id)
    ]
    entries.sort(key=lambda entry: (entry["at"], entry["id"]), reverse=True)
    return entries[offset : offset + limit], len(entries)


def merge_customers(uow: UnitOfWork, merged_id: str, survivor_id: str):
    """Two records of one customer become the survivor: interactions, orders and tickets move
    there, and customer.merged tells orders and analytics to do the same."""
    survivor = customers.merge_records(uow, merged_id, survivor_id)
    purchases.reassign(uow, merged_id, survivor_id)
    tickets.reassign(uow, merged_id, survivor_id)
    return survivor
