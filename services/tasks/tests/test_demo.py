"""The tasks service's part of the demo (demo.py): this year's quarters, seeded once."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from services.tasks import demo
from services.tasks.periods import service as periods


def test_demo_seeds_the_quarters_of_this_year_once(engine):
    with Session(engine) as session:
        assert demo.seed(session, workspace_id=1, people={}, today=date(2028, 5, 17)) is True
        assert demo.seed(session, workspace_id=1, people={}, today=date(2028, 5, 17)) is False
        session.commit()
        rows, total = periods.list_periods(session=session, workspace_id=1)
    assert total == 4
    assert [(p.name, p.starts_on, p.ends_on) for p in rows] == [
        ("Q1 2028", date(2028, 1, 1), date(2028, 3, 31)),
        ("Q2 2028", date(2028, 4, 1), date(2028, 6, 30)),
        ("Q3 2028", date(2028, 7, 1), date(2028, 9, 30)),
        ("Q4 2028", date(2028, 10, 1), date(2028, 12, 31)),
    ]
    assert all(p.capacity_hours == 120 for p in rows)
