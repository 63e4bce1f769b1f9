"""Repeat purchases for a hand-worked set of buyers: days bought on, median gaps, who is late."""

from datetime import date, timedelta

from analytics.repeat.domain import Buyer, repeaters, summary

TODAY = date.today()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


BUYERS = [
    # Gaps 10, 10, 100: the median, 10, keeps the habit one long absence would hide.
    Buyer("monthly", None, [ago(150), ago(140), ago(130), ago(30)]),
    # Two orders on one day are one purchase: gaps 0 are no repeat.
    Buyer("twice-a-day", None, [ago(5), ago(5)]),
    Buyer("weekly", "legacy-7", [ago(14), ago(7), ago(0)]),
    Buyer("pair", None, [ago(400), ago(20)]),
]


def test_intervals_expected_dates_and_who_is_overdue_match_the_hand_calculation():
    found = {r.customer_id: r for r in repeaters(BUYERS, TODAY)}
    assert set(found) == {"monthly", "weekly", "pair"}
    monthly = found["monthly"]
    assert (monthly.purchases, monthly.median_days_between) == (4, 10.0)
    # Expected 10 days after the last purchase (30 days ago): 20 days late.
    assert (monthly.next_expected, monthly.overdue_days) == (ago(20), 20)
    weekly = found["weekly"]
    assert (weekly.external_ref, weekly.median_days_between, weekly.overdue_days) == (
        "legacy-7",
        7.0,
        0,
    )
    assert weekly.next_expected == TODAY + timedelta(days=7)
    assert (found["pair"].median_days_between, found["pair"].overdue_days) == (380.0, 0)
    assert [r.customer_id for r in repeaters(BUYERS, TODAY)] == ["monthly", "pair", "weekly"]


def test_the_summary_counts_buyers_who_came_back_and_spreads_every_gap_over_ranges():
    told = summary(BUYERS)
    assert (told["customers"], told["repeat_customers"], told["repeat_rate"]) == (4, 3, 0.75)
    # Gaps: 10, 10, 100 (monthly), 7, 7 (weekly), 380 (pair): median of six, (10 + 10) / 2.
    assert told["median_days_between"] == 10.0
    assert [(g["from_days"], g["to_days"], g["count"]) for g in told["gaps"]] == [
        (1, 7, 2),
        (8, 30, 2),
        (31, 90, 0),
        (91, 180, 1),
        (181, 365, 0),
        (366, None, 1),
    ]
    assert summary([])["median_days_between"] is None
