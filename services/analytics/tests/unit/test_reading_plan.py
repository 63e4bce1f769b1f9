"""How a report range is read: whole periods from rollups, part periods from the cheaper
side, and every day of the range counted exactly once."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from analytics.domain import next_period, period_of
from analytics.reports.domain import Part, reading_plan


def test_a_year_to_date_by_month_reads_whole_months_and_the_month_so_far_less_its_rest():
    plan = reading_plan(date(2025, 11, 30), date(2026, 11, 29), "month")
    assert plan == [
        Part("days", date(2025, 11, 30), date(2025, 11, 30)),
        Part("whole", date(2025, 12, 1), date(2026, 11, 1)),
        Part("less", date(2026, 11, 1), date(2026, 11, 1), ((date(2026, 11, 30),) * 2,)),
    ]


def covered(plan, granularity) -> list[date]:
    days = []
    for part in plan:
        if part.how == "days":
            span = (part.first, part.last + timedelta(days=1))
            days += [span[0] + timedelta(days=n) for n in range((span[1] - span[0]).days)]
        elif part.how == "whole":
            day = part.first
            while day < part.last:
                days.append(day)
                day += timedelta(days=1)
        else:
            end = next_period(part.first, granularity)
            outside = {
                a + timedelta(days=n) for a, b in part.outside for n in range((b - a).days + 1)
            }
            days += [
                part.first + timedelta(days=n)
                for n in range((end - part.first).days)
                if part.first + timedelta(days=n) not in outside
            ]
    return days


@given(
    st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    st.integers(0, 800),
    st.sampled_from(["day", "week", "month"]),
)
def test_every_day_of_the_range_is_read_once_and_in_period_order(start, length, granularity):
    end = start + timedelta(days=length)
    plan = reading_plan(start, end, granularity)
    assert covered(plan, granularity) == [start + timedelta(days=n) for n in range(length + 1)]
    firsts = [period_of(part.first, granularity) for part in plan]
    assert firsts == sorted(firsts)
