"""Orders owns the order's life cycle (sales.domain.TRANSITIONS); the event contract holds only
the ranking consumers need to keep a copy's status from moving back when events arrive out of
order (erp_shared.events.ORDER_STATUS_PROGRESS). They cannot drift apart: every status orders
can reach is ranked, and every move it makes goes forward in that ranking."""

from __future__ import annotations

from erp_shared.events import ORDER_STATUS_PROGRESS
from orders.sales.domain import STATUSES, TRANSITIONS


def test_every_status_an_order_reaches_is_ranked_by_the_contract_and_no_other():
    assert set(STATUSES) == set(ORDER_STATUS_PROGRESS)


def test_every_move_of_an_order_goes_forward_in_the_contract_s_ranking():
    for status, targets in TRANSITIONS.items():
        for target in targets - {status}:
            assert ORDER_STATUS_PROGRESS[target] > ORDER_STATUS_PROGRESS[status], (status, target)
