"""Segment use cases: define one, and list the customers it holds now."""

from __future__ import annotations

import uuid
from decimal import Decimal

from crm.customers import service as customers
from crm.purchases import service as purchases
from crm.segments import db
from crm.segments.domain import Segment
from erp_shared.errors import Unknown
from erp_shared.uow import UnitOfWork


def define_segment(uow: UnitOfWork, definition: dict) -> Segment:
    segment = Segment(str(uuid.uuid4()), definition["name"], definition["rules"], uow.now)
    db.add(uow.conn, segment)
    return segment


def get_segment(uow: UnitOfWork, segment_id: str) -> Segment:
    segment = db.get(uow.conn, segment_id)
    if segment is None:
        raise Unknown(f"No segment {segment_id}.")
    return segment


def list_segments(uow: UnitOfWork, offset: int, limit: int):
    return db.page(uow.conn, offset, limit)


def members(uow: UnitOfWork, segment_id: str, offset: int, limit: int):
    """The customers the segment's rules hold today, as the customers list shows them."""
    segment = get_segment(uow, segment_id)
    spending = purchases.spending(uow)
    held = {
        customer_id
        for customer_id, tags in db.live_customer_tags(uow.conn)
        if segment.holds(tags, *spending.get(customer_id, (Decimal(0), None)))
    }
    return customers.search_customers(uow, {"ids": held}, offset, limit)
