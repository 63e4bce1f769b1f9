"""RFM use cases: score every customer, and give them their segment (announcing changes, so
the CRM shows it). Each takes the caller's unit of work."""

from __future__ import annotations

from analytics.rfm import db
from analytics.rfm.domain import RfmScore, score
from erp_shared.uow import UnitOfWork


def rfm_scores(uow: UnitOfWork) -> list[RfmScore]:
    return score(db.purchases(uow.conn), uow.now.date())


def assign_segments(uow: UnitOfWork, _settings=None) -> int:
    """Keep each CRM customer's segment; customer.segment_changed for each that moved. How
    many. Buyers known only from a history import have no CRM record to show it on."""
    known = db.segments(uow.conn)
    moved = 0
    for scored in rfm_scores(uow):
        if scored.external_ref is None and known.get(scored.customer_id) != scored.segment:
            db.keep_segment(uow.conn, scored.customer_id, scored.segment, uow.now)
            uow.emit(
                "customer.segment_changed",
                {"customer_id": scored.customer_id, "segment": scored.segment},
            )
            moved += 1
    return moved
