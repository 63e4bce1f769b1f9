"""Who may call the inventory service's routes (erp_shared.access explains the roles and how
a rule decides); checked here and, learned from the API document, by the gateway. The
catalogue is open to customers, the rest to staff."""

from __future__ import annotations

from erp_shared.access import READ, STAFF_READERS, WRITE, rule

RULES = (
    rule(READ, r"/products(/.*)?", *STAFF_READERS, "customer", "integration"),
    rule(READ, r"/(stock|warehouses)(/.*)?", *STAFF_READERS, "integration"),
    rule(READ, r"/(movements|reorder-alerts|inventory/turnover)", "warehouse", "analyst"),
    rule(WRITE, r"/(products|receipts|adjustments|transfers|warehouses)(/.*)?", "warehouse"),
)
