"""Loading, saving and searching customers: the only SQL of the customers package.

Search goes through a trigram index of `search_text`: SQLite's FTS5 table customer_search,
kept here in step with every write, or PostgreSQL's pg_trgm index on the column itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, delete, func, select, text, update
from sqlalchemy.engine import Connection

from crm.customers.domain import Customer, searchable
from crm.tables import addresses, contacts, customers, interactions
from erp_shared.db import insert_unique
from erp_shared.errors import Conflict

_COLUMNS = (
    "id",
    "name",
    "email",
    "phone",
    "company",
    "tax_id",
    "language",
    "credit_limit",
    "tags",
    "segment",
    "blocked",
    "merged_into",
    "erased_at",
    "created_at",
    "updated_at",
)
_ADDRESS = ("kind", "line1", "city", "postal_code", "country")
_CONTACT = ("name", "email", "phone", "role")
TRIGRAM = 3


def _taken(customer: Customer) -> Conflict:
    """An address another customer has: the answer names neither it nor whose it is, so a
    customer changing its own cannot learn who else is on file."""
    return Conflict("This e-mail address cannot be used.", {"email": ["Choose another."]})


def _row(customer: Customer) -> dict:
    return {name: getattr(customer, name) for name in _COLUMNS} | {
        "search_text": customer.search_text
    }


def add(conn: Connection, customer: Customer) -> None:
    insert_unique(conn, customers.insert().values(_row(customer)), _taken(customer))
    _write_parts(conn, customer)
    if conn.dialect.name == "sqlite":
        conn.execute(
            text("INSERT INTO customer_search (customer_id, search_text) VALUES (:id, :text)"),
            {"id": customer.id, "text": customer.search_text},
        )


def save(conn: Connection, customer: Customer) -> None:
    """Write the customer whole if it changed since it was loaded or last saved; else
    nothing, so saving twice is saving once."""
    if not customer.changed:
        return
    values = _row(customer)
    del values["id"]
    statement = update(customers).where(customers.c.id == customer.id).values(values)
    insert_unique(conn, statement, _taken(customer))
    conn.execute(delete(addresses).where(addresses.c.customer_id == customer.id))
    conn.execute(delete(contacts).where(contacts.c.customer_id == customer.id))
    _write_parts(conn, customer)
    if conn.dialect.name == "sqlite":
        conn.execute(
            text("UPDATE customer_search SET search_text = :text WHERE customer_id = :id"),
            {"id": customer.id, "text": customer.search_text},
        )
    customer.changed = False


def _write_parts(conn: Connection, customer: Customer) -> None:
    if customer.addresses:
        conn.execute(
            addresses.insert(),
            [
                {"customer_id": customer.id} | {f: a[f] for f in _ADDRESS}
                for a in customer.addresses
            ],
        )
    if customer.contacts:
        conn.execute(
            contacts.insert(),
            [
                {"customer_id": customer.id} | {f: c.get(f) for f in _CONTACT}
                for c in customer.contacts
            ],
        )


def get(conn: Connection, customer_id: str, *, for_update: bool = False) -> Customer | None:
    query = select(*(customers.c[name] for name in _COLUMNS)).where(customers.c.id == customer_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        return None
    address_rows = conn.execute(
        select(*(addresses.c[f] for f in _ADDRESS))
        .where(addresses.c.customer_id == customer_id)
        .order_by(addresses.c.id)
    )
    contact_rows = conn.execute(
        select(*(contacts.c[f] for f in _CONTACT))
        .where(contacts.c.customer_id == customer_id)
        .order_by(contacts.c.id)
    )
    return Customer(
        **row._asdict(),
        addresses=[a._asdict() for a in address_rows],
        contacts=[c._asdict() for c in contact_rows],
    )


SUMMARY = ("id", "name", "email", "phone", "company", "tags", "segment", "blocked", "created_at")
OTHER_FILTERS = ("segment", "ids", "blocked", "tag")


def search(conn: Connection, filters: dict, offset: int, limit: int) -> tuple[list[dict], int]:
    """Live customers (not merged away, not erased) matching every filter given, by name."""
    wanted = searchable(filters.get("q") or "").strip()
    if (
        conn.dialect.name == "sqlite"
        and len(wanted) >= TRIGRAM
        and not any(filters.get(name) is not None for name in OTHER_FILTERS)
    ):
        return _text_search(conn, wanted, offset, limit)
    query = select(*(customers.c[name] for name in SUMMARY)).where(
        customers.c.merged_into.is_(None), customers.c.erased_at.is_(None)
    )
    if filters.get("q"):
        query = query.where(_matches(conn, filters["q"]))
    if filters.get("segment"):
        query = query.where(customers.c.segment == filters["segment"])
    if filters.get("ids") is not None:
        query = query.where(customers.c.id.in_(list(filters["ids"])))
    if filters.get("blocked") is not None:
        query = query.where(customers.c.blocked == filters["blocked"])
    if filters.get("tag"):
        query = query.where(_tagged(conn, filters["tag"]))
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(customers.c.name, customers.c.id).offset(offset).limit(limit)
    )
    return [row._asdict() for row in rows], total


def _phrase(wanted: str) -> str:
    """FTS5 takes the text as one quoted phrase, so nothing in it reads as query syntax."""
    return '"' + wanted.replace('"', '""') + '"'


def _text_search(conn: Connection, wanted: str, offset: int, limit: int):
    """Search alone on SQLite: the FTS index counts and pages the matches itself (in the order
    customers were registered), and only the page's rows are read. Merged and erased
    customers have no search text there, so they never match."""
    phrase = {"q": _phrase(wanted)}
    total = conn.execute(
        text("SELECT count(*) FROM customer_search WHERE customer_search MATCH :q"), phrase
    ).scalar_one()
    ids = conn.scalars(
        text(
            "SELECT customer_id FROM customer_search WHERE customer_search MATCH :q "
            "ORDER BY rowid LIMIT :limit OFFSET :offset"
        ),
        phrase | {"limit": limit, "offset": offset},
    ).all()
    rows = conn.execute(select(*(customers.c[n] for n in SUMMARY)).where(customers.c.id.in_(ids)))
    found = {row.id: row._asdict() for row in rows}
    return [found[customer_id] for customer_id in ids if customer_id in found], total


def _tagged(conn: Connection, tag: str):
    """Tags are a JSON list: ask the database's JSON functions whether it holds `tag`."""
    if conn.dialect.name == "sqlite":
        clause = "EXISTS (SELECT 1 FROM json_each(customers.tags) WHERE json_each.value = :tag)"
    else:
        clause = "jsonb_exists(CAST(customers.tags AS jsonb), :tag)"
    return text(clause).bindparams(tag=tag)


def _matches(conn: Connection, q: str):
    wanted = searchable(q).strip()
    if conn.dialect.name == "sqlite" and len(wanted) >= TRIGRAM:
        phrase = _phrase(wanted)
        hits = text("SELECT customer_id FROM customer_search WHERE customer_search MATCH :q")
        return customers.c.id.in_(hits.bindparams(q=phrase).columns(customer_id=String()))
    return customers.c.search_text.contains(wanted, autoescape=True)


def set_segment(conn: Connection, customer_id: str, segment: str, at: datetime) -> None:
    conn.execute(
        update(customers)
        .where(customers.c.id == customer_id)
        .values(segment=segment, updated_at=at)
    )


def add_interaction(conn: Connection, **values) -> None:
    conn.execute(interactions.insert(), values)


def interactions_page(conn: Connection, customer_id: str, offset: int, limit: int):
    columns = ("id", "channel", "summary", "occurred_at", "recorded_by")
    query = select(*(interactions.c[c] for c in columns)).where(
        interactions.c.customer_id == customer_id
    )
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(interactions.c.occurred_at.desc(), interactions.c.id)
        .offset(offset)
        .limit(limit)
    )
    return [row._asdict() for row in rows], total


def move_interactions(conn: Connection, from_id: str, to_id: str) -> None:
    conn.execute(
        update(interactions).where(interactions.c.customer_id == from_id).values(customer_id=to_id)
    )


def forget_interactions(conn: Connection, customer_id: str) -> None:
    """Erasure: what was said in calls and emails is personal too."""
    conn.execute(
        update(interactions)
        .where(interactions.c.customer_id == customer_id)
        .values(summary="erased")
    )
