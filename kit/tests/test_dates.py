from datetime import date

import pytest

from kit.dates import add_months, next_period_end


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    "start,cadence,today,expected",
    [
        (date(2026, 1, 1), "quarterly", date(2026, 11, 23), date(2027, 1, 1)),
        (date(2026, 1, 1), "monthly", date(2026, 11, 23), date(2026, 12, 1)),
        (date(2026, 1, 1), "yearly", date(2026, 1, 1), date(2027, 1, 1)),
        (date(2026, 1, 1), "half_yearly", date(2026, 6, 30), date(2026, 7, 1)),
        (date(2027, 1, 1), "monthly", date(2026, 11, 23), date(2027, 2, 1)),
    ],
)
def test_next_period_end_is_after_today(start, cadence, today, expected):
    assert next_period_end(start, cadence, today) == expected
