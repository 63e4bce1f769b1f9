"""RFM scores by rank: ties share the score their place earns, the best value scores 5, and
scoring a large base sorts rather than compares every customer with every other."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from analytics.rfm.domain import Purchases, score

TODAY = date(2026, 1, 1) + timedelta(days=400)  # any day: scores depend on differences only


def bought(customer: str, days_ago: int, orders: int = 1, spent: str = "10.00") -> Purchases:
    return Purchases(customer, TODAY - timedelta(days=days_ago), orders, Decimal(spent))


def test_everyone_who_bought_today_is_as_recent_as_can_be():
    scores = score([bought(f"c{n}", 0, orders=3) for n in range(7)], TODAY)
    assert {(s.r, s.f, s.segment) for s in scores} == {(5, 5, "champions")}


def test_ties_share_the_score_of_their_place_worked_by_hand():
    # Days since: 0, 0, 10, 10, 40, 90 (six customers). Strictly more recent than each:
    # 0, 0, 2, 2, 4, 5, so R = 5 - floor(5 * better / 6) = 5, 5, 4, 4, 2, 1.
    days = [0, 0, 10, 10, 40, 90]
    scores = score([bought(f"c{n}", d) for n, d in enumerate(days)], TODAY)
    assert [s.r for s in scores] == [5, 5, 4, 4, 2, 1]


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_the_most_recent_scores_five_and_more_recent_never_scores_lower(days):
    scores = score([bought(f"c{n}", d) for n, d in enumerate(days)], TODAY)
    by_days = sorted(zip(days, (s.r for s in scores), strict=True))
    assert all(s.r == 5 for s, d in zip(scores, days, strict=True) if d == min(days))
    assert all(1 <= r <= 5 for _, r in by_days)
    assert all(a[1] >= b[1] for a, b in zip(by_days, by_days[1:], strict=False))
