"""Event entry points of analytics: one small function per consumed type."""

from __future__ import annotations

from analytics import service

HANDLERS = {
    "order.placed": service.record_order_placed,
    "order.confirmed": service.record_order_status,
    "order.rejected": service.record_order_status,
    "order.cancelled": service.record_order_status,
}
