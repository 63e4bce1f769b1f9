"""Service tickets and their service levels, free of Flask and SQL.

A ticket's priority sets two due times (first response, resolution) from its service level.
Status flow: open -> in_progress -> resolved -> closed, and back to in_progress when reopened:
a reopened ticket loses its resolution and gets a new resolution due time, but its history
keeps every move. A ticket is overdue while unresolved past its resolution due time, or still
unanswered past its first-response due time; lists apply that rule in SQL (db.py's _overdue),
since they sort and count by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from erp_shared.errors import Invalid, NotAllowed

PRIORITIES = ("low", "normal", "high", "urgent")
DEFAULT_PRIORITY = "normal"
# How urgent a ticket is and who works on it are support's calls: a customer opening one
# describes the problem, and may link it to one of its own orders.
STAFF_ONLY = ("priority", "assignee")
STATUSES = ("open", "in_progress", "resolved", "closed")
FLOW = {
    "open": {"in_progress", "resolved", "closed"},
    "in_progress": {"resolved", "closed"},
    "resolved": {"closed", "in_progress"},
    "closed": {"in_progress"},
}
UNRESOLVED = ("open", "in_progress")


@dataclass(frozen=True)
class TicketEvent:
    kind: str  # status, comment, assign, link (to an order)
    at: datetime
    actor: str | None
    status: str | None = None
    body: str | None = None


@dataclass
class Ticket:
    id: str
    customer_id: str
    subject: str
    description: str
    priority: str
    status: str
    first_response_due: datetime
    resolution_due: datetime
    created_at: datetime
    updated_at: datetime
    order_id: str | None = None
    assignee: str | None = None
    first_responded_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    history: list[TicketEvent] = field(default_factory=list)
    new_history: list[TicketEvent] = field(default_factory=list, repr=False)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @classmethod
    def open(cls, *, at: datetime, sla: dict[str, tuple[int, int]], actor, **details) -> Ticket:
        first, resolution = sla[details["priority"]]
        ticket = cls(
            **details,
            status="open",
            first_response_due=at + timedelta(hours=first),
            resolution_due=at + timedelta(hours=resolution),
            created_at=at,
            updated_at=at,
        )
        ticket._note(TicketEvent("status", at, actor, status="open"))
        ticket._announce("ticket.opened")
        return ticket

    def move(self, status: str, at: datetime, actor, sla, resolution: str | None = None) -> None:
        if status not in FLOW[self.status]:
            raise NotAllowed(f"A {self.status} ticket cannot become {status}.")
        reopened = self.status in ("resolved", "closed") and status == "in_progress"
        if reopened:
            self.resolved_at = self.resolution = None
            self.resolution_due = at + timedelta(hours=sla[self.priority][1])
        if status == "resolved":
            if not (resolution or "").strip():
                raise Invalid(
                    "A ticket is resolved by saying how.",
                    {"resolution": ["Say what was done for the customer."]},
                )
            self.resolved_at, self.resolution = at, resolution
        if status != "open" and self.first_responded_at is None:
            self.first_responded_at = at
        self.status = status
        self._note(TicketEvent("status", at, actor, status=status, body=resolution))
        self._announce("ticket.changed")

    def comment(self, body: str, at: datetime, actor) -> None:
        if self.first_responded_at is None and actor:
            self.first_responded_at = at
        self._note(TicketEvent("comment", at, actor, body=body))

    def link_order(self, order_id: str, at: datetime, actor) -> None:
        """The order the ticket is about (the caller checked it is the customer's)."""
        self.order_id = order_id
        self._note(TicketEvent("link", at, actor, body=order_id))
        self._announce("ticket.changed")

    def assign(self, assignee: str, at: datetime, actor) -> None:
        self.assignee = assignee
        self._note(TicketEvent("assign", at, actor, body=assignee))

    def _note(self, event: TicketEvent) -> None:
        self.updated_at = event.at
        self.history.append(event)
        self.new_history.append(event)

    def _announce(self, event_type: str) -> None:
        self.pending_events.append(
            (
                event_type,
                {
                    "ticket_id": self.id,
                    "customer_id": self.customer_id,
                    "order_id": self.order_id,
                    "status": self.status,
                    "priority": self.priority,
                },
            )
        )
