"""The orders service's one MetaData: every table of its packages, for its one Alembic history.

Queries live in each package's db.py; only those read and write these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from erp_shared.db import Money, UtcDateTime
from erp_shared.idempotency import idempotency_metadata
from erp_shared.messaging import messaging_metadata
from orders.sales.domain import STATUSES

metadata = MetaData()
# Everything the service's database holds, as its migrations must build it.
schema = (metadata, messaging_metadata, idempotency_metadata)

# Replicas: what orders knows of CRM's customers and inventory's catalogue, from their events.
customers = Table(
    "customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("credit_limit", Money),
    Column("tags", JSON, nullable=False, default=list),
    Column("blocked", Boolean, nullable=False, default=False),
    # What its invoices print: company, tax id, billing address (line1, city, postal_code,
    # country), as the CRM last announced them.
    Column("company", String(200)),
    Column("tax_id", String(40)),
    Column("billing_address", JSON),
    # The language its invoices are written in (en, zh_CN); none: English.
    Column("language", String(10)),
    Column("source_updated_at", UtcDateTime, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("category", String(100)),
    Column("active", Boolean, nullable=False, default=True),
    Column("source_updated_at", UtcDateTime, nullable=False),
)

# The codes of CRM's campaigns: an order may carry only one of these.
campaigns = Table(
    "campaigns",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("campaign_id", String(36), nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("campaign_code", String(64)),
    Column("shipping_address", JSON),
    Column("note", Text),
    Column("subtotal", Money, nullable=False),
    Column("tax", Money, nullable=False),
    Column("total", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("rejection_reason", String(500)),
    # Why it was rejected: "stock" (inventory could not reserve) or "credit" (over the limit,
    # which an admin may approve).
    Column("rejected_for", String(10)),
    Column("approved_by", String(80)),
    Column("external_ref", String(64)),
    # The return whose exchange this order replaces goods for.
    Column("replaces_return_id", String(36)),
    Column("placed_by", String(80), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "status IN (" + ", ".join(f"'{status}'" for status in STATUSES) + ")",
        name="ck_order_status",
    ),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", String(36), ForeignKey("orders.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("line_total", Money, nullable=False),
    Column("tax_rate", Money, nullable=False, default=0),
    Column("tax", Money, nullable=False, default=0),
    Column("shipped", Integer, nullable=False, default=0),
    Column("returned", Integer, nullable=False, default=0),
    CheckConstraint("quantity > 0", name="ck_order_line_quantity_positive"),
    CheckConstraint("shipped >= 0 AND shipped <= quantity", name="ck_order_line_shipped"),
    CheckConstraint("returned >= 0 AND returned <= shipped", name="ck_order_line_returned"),
)

order_history = Table(
    "order_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(36), ForeignKey("orders.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("reason", String(500)),
    Column("actor", String(80)),
)

sequences = Table(
    "sequences",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_id", String(36), ForeignKey("orders.id"), nullable=False, index=True),
    Column("carrier", String(80)),
    Column("tracking_number", String(120)),
    Column("lines", JSON, nullable=False),
    Column("invoice_id", String(36)),
    Column("shipped_at", UtcDateTime, nullable=False),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("kind", String(12), nullable=False),
    Column("order_id", String(36), ForeignKey("orders.id"), nullable=False, index=True),
    # The order's number as the invoice names it to its recipient (migration 0006).
    Column("order_number", String(32), nullable=False),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("subtotal", Money, nullable=False),
    Column("tax", Money, nullable=False),
    Column("total", Money, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    # A credit note's invoice, and the return it credits.
    Column("original_invoice_id", String(36), ForeignKey("invoices.id")),
    Column("return_id", String(36)),
    Column("paid_at", UtcDateTime),
    # The buyer as it was at issue (name, company, email, tax_id, address), kept so a later
    # change of the customer does not rewrite an issued invoice; erasure pseudonymises it.
    # When payment is due. Both absent on invoices issued before migration 0007.
    Column("buyer", JSON),
    Column("due_on", Date),
    CheckConstraint("kind IN ('invoice', 'credit_note')", name="ck_invoice_kind"),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("invoice_id", String(36), ForeignKey("invoices.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    # The product's name at issue (absent on lines issued before migration 0007).
    Column("name", String(200)),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("tax_rate", Money, nullable=False),
    Column("line_total", Money, nullable=False),
    Column("tax", Money, nullable=False),
    # On a credit note: the line of the original invoice it credits.
    Column("original_invoice_id", String(36)),
    Column("original_line_no", Integer),
)

returns = Table(
    "returns",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_id", String(36), ForeignKey("orders.id"), nullable=False, index=True),
    Column("customer_id", String(36), nullable=False),
    Column("resolution", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("lines", JSON, nullable=False),
    Column("requested_by", String(80), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime),
    Column("credit_note_id", String(36)),
    Column("replacement_order_id", String(36)),
    CheckConstraint("resolution IN ('refund', 'exchange')", name="ck_return_resolution"),
    CheckConstraint("status IN ('requested', 'received')", name="ck_return_status"),
)

# Every write of the service: who, when, from which request, and the record before and after.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity", String(20), nullable=False),
    Column("entity_id", String(36), nullable=False),
    Column("action", String(30), nullable=False),
    Column("actor", String(80)),
    Column("request_id", String(128)),
    Column("at", UtcDateTime, nullable=False),
    Column("before", JSON),
    Column("after", JSON),
)
Index("ix_audit_entity", audit_log.c.entity, audit_log.c.entity_id, audit_log.c.id)
Index("ix_orders_list", orders.c.status, orders.c.created_at)
Index("ix_orders_external_ref", orders.c.channel, orders.c.external_ref, unique=True)
