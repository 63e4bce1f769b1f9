"""Loading and saving tickets and their history: the only SQL of the tickets package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.engine import Connection

from crm.tables import customers, ticket_events, tickets
from crm.tickets.domain import UNRESOLVED, Ticket, TicketEvent

_FIELDS = (
    "id",
    "customer_id",
    "subject",
    "description",
    "priority",
    "status",
    "first_response_due",
    "resolution_due",
    "created_at",
    "updated_at",
    "order_id",
    "assignee",
    "first_responded_at",
    "resolved_at",
    "resolution",
)
_EVENT = ("kind", "at", "actor", "status", "body")


def add(conn: Connection, ticket: Ticket) -> None:
    conn.execute(tickets.insert().values({name: getattr(ticket, name) for name in _FIELDS}))
    _add_history(conn, ticket)


def save(conn: Connection, ticket: Ticket) -> None:
    """Write the ticket if it changed since it was loaded or last saved (every change adds to
    its history); else nothing, so saving twice is saving once."""
    if not ticket.new_history:
        return
    values = {name: getattr(ticket, name) for name in _FIELDS if name != "id"}
    conn.execute(update(tickets).where(tickets.c.id == ticket.id).values(values))
    _add_history(conn, ticket)


def _add_history(conn: Connection, ticket: Ticket) -> None:
    if ticket.new_history:
        conn.execute(
            ticket_events.insert(),
            [
                {"ticket_id": ticket.id} | {name: getattr(e, name) for name in _EVENT}
                for e in ticket.new_history
            ],
        )
        ticket.new_history.clear()


def get(conn: Connection, ticket_id: str, *, for_update: bool = False) -> Ticket | None:
    query = select(*(tickets.c[name] for name in _FIELDS)).where(tickets.c.id == ticket_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        return None
    events = conn.execute(
        select(*(ticket_events.c[name] for name in _EVENT))
        .where(ticket_events.c.ticket_id == ticket_id)
        .order_by(ticket_events.c.id)
    )
    return Ticket(**row._asdict(), history=[TicketEvent(**e._asdict()) for e in events])


def _overdue(now: datetime):
    return and_(
        tickets.c.status.in_(UNRESOLVED),
        or_(
            tickets.c.resolution_due < now,
            and_(tickets.c.first_responded_at.is_(None), tickets.c.first_response_due < now),
        ),
    )


def page(conn: Connection, filters: dict, now: datetime, offset: int, limit: int):
    """Tickets still to do first, soonest due first, each naming its customer; `overdue`
    keeps only those past a due time."""
    summary = ("id", "customer_id", "order_id", "subject", "priority", "status", "assignee")
    query = select(
        *(tickets.c[n] for n in summary),
        customers.c.name.label("customer_name"),
        tickets.c.first_response_due,
        tickets.c.resolution_due,
        tickets.c.created_at,
        _overdue(now).label("overdue"),
    ).outerjoin(customers, customers.c.id == tickets.c.customer_id)
    for name in ("customer_id", "status", "priority", "assignee"):
        if filters.get(name):
            query = query.where(tickets.c[name] == filters[name])
    if filters.get("overdue") is not None:
        query = query.where(_overdue(now) if filters["overdue"] else ~_overdue(now))
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    # Still to do first, soonest due first; resolved and closed after them.
    done = case((tickets.c.status.in_(("resolved", "closed")), 1), else_=0)
    rows = conn.execute(
        query.order_by(done, tickets.c.resolution_due, tickets.c.id).offset(offset).limit(limit)
    )
    return [row._asdict() for row in rows], total


def count_overdue(conn: Connection, now: datetime) -> int:
    return conn.execute(select(func.count()).where(_overdue(now))).scalar_one()


def of_customer(conn: Connection, customer_id: str) -> list[dict]:
    rows = conn.execute(
        select(tickets.c.id, tickets.c.subject, tickets.c.status, tickets.c.priority)
        .add_columns(tickets.c.created_at)
        .where(tickets.c.customer_id == customer_id)
    )
    return [row._asdict() for row in rows]


def reassign(conn: Connection, from_id: str, to_id: str) -> None:
    conn.execute(update(tickets).where(tickets.c.customer_id == from_id).values(customer_id=to_id))
