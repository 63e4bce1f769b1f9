"""The CRM's one MetaData: every table, for its one Alembic history. Queries live in db.py."""

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

metadata = MetaData()
# Everything the service's database holds, as its migrations must build it.
schema = (metadata, messaging_metadata, idempotency_metadata)
# Built by the migrations but not described here, since SQLAlchemy cannot declare them: the
# search index of customers (SQLite's FTS5 table and its own tables, PostgreSQL's trigram index).
unmanaged = ("customer_search", "ix_customers_search_trgm")

customers = Table(
    "customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("phone", String(40)),
    Column("company", String(200)),
    # The buyer's VAT or tax registration number, printed on its invoices.
    Column("tax_id", String(40)),
    # The language its documents are written in (en, zh_CN); none: the seller's default.
    Column("language", String(10)),
    Column("credit_limit", Money),
    Column("tags", JSON, nullable=False, default=list),
    Column("segment", String(40)),
    Column("blocked", Boolean, nullable=False, default=False),
    # Lower case, accents stripped: what search matches, indexed by trigrams.
    Column("search_text", Text, nullable=False, default=""),
    Column("merged_into", String(36)),
    Column("erased_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

addresses = Table(
    "addresses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("line1", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("postal_code", String(20), nullable=False),
    Column("country", String(2), nullable=False),
    CheckConstraint("kind IN ('billing', 'shipping')", name="ck_address_kind"),
)

# Lists are in name order: a page of a broad search walks this index and stops at its end.
Index("ix_customers_name", customers.c.name, customers.c.id)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("phone", String(40)),
    Column("role", String(80)),
)

interactions = Table(
    "interactions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("summary", Text, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(80)),
    CheckConstraint(
        "channel IN ('call', 'email', 'meeting', 'chat', 'visit')", name="ck_interaction_channel"
    ),
)
Index("ix_interactions_customer", interactions.c.customer_id, interactions.c.occurred_at)

# What the CRM learns of orders and returns from their events: enough for a customer's
# timeline, campaign performance and spending segments.
purchases = Table(
    "purchases",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("customer_id", String(36), index=True),
    Column("number", String(32)),
    Column("status", String(20), nullable=False),
    Column("campaign_code", String(64), index=True),
    Column("revenue", Money),
    Column("currency", String(3)),
    Column("placed_at", UtcDateTime),
    Column("changed_at", UtcDateTime, nullable=False),
)

returns_seen = Table(
    "returns_seen",
    metadata,
    Column("return_id", String(36), primary_key=True),
    Column("order_id", String(36), nullable=False, index=True),
    Column("resolution", String(10)),
    Column("status", String(10), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("code", String(64), nullable=False, unique=True),
    Column("channel", String(20), nullable=False),
    Column("budget", Money, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("segment", String(80)),
    Column("created_at", UtcDateTime, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False, index=True),
    Column("order_id", String(36)),
    Column("subject", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("priority", String(10), nullable=False),
    Column("status", String(12), nullable=False),
    Column("assignee", String(80)),
    Column("first_response_due", UtcDateTime, nullable=False),
    Column("resolution_due", UtcDateTime, nullable=False),
    Column("first_responded_at", UtcDateTime),
    Column("resolved_at", UtcDateTime),
    Column("resolution", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "status IN ('open', 'in_progress', 'resolved', 'closed')", name="ck_ticket_status"
    ),
)
Index("ix_tickets_due", tickets.c.status, tickets.c.resolution_due)

# A ticket's history: every status move, assignment and comment, in order.
ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(36), ForeignKey("tickets.id"), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("status", String(12)),
    Column("body", Text),
    Column("actor", String(80)),
    Column("at", UtcDateTime, nullable=False),
)

segments = Table(
    "segments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("rules", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
