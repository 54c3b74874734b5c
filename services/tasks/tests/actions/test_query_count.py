"""The action list, the matrix, the capacity and a period's plan (with each person's load) run as many SQL
statements for 2,000 actions as for 10: nothing is asked per row."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlmodel import Session

from kit.sqlcount import count_statements
from kit.testing import auth
from services.tasks.actions.models import Action, ActionStatus, ChangeKind
from services.tasks.periods.models import Period, PeriodCapacity

PATHS = ["/api/v1/actions?limit=500", "/api/v1/actions/matrix?limit=500", "/api/v1/actions/capacity"]


def fill(engine, n: int, workspace_id: int) -> int:
    """n actions of every status and kind in two periods of the workspace; the first period's id."""
    rnd = random.Random(n)
    with Session(engine) as s:
        periods = [
            Period(workspace_id=workspace_id, name=f"P{i}", starts_on=date(2026, 1 + 3 * i, 1),
                   ends_on=date(2026, 3 + 3 * i, 28), capacity_hours=100)
            for i in range(2)
        ]  # fmt: skip
        s.add_all(periods)
        s.flush()
        s.add_all(
            Action(
                workspace_id=workspace_id, title=f"Action {i}", status=rnd.choice(list(ActionStatus)),
                change_kind=rnd.choice(list(ChangeKind)), effort_hours=rnd.choice([None, 2, 8, 40, 90]),
                gain=rnd.choice([None, 1, 3, 5]), period_id=periods[i % 2].id, kpi_id=i % 7 + 1, kpi_grain="month",
                owner_id=rnd.choice([None, *range(1, 41)]),
                surface_cadence="quarterly", surface_anchor=date(2026, 1, 1), due_on=date(2026, 5, 1),
            )
            for i in range(n)
        )  # fmt: skip
        s.add_all(
            PeriodCapacity(period_id=p.id, owner_id=o, workspace_id=workspace_id, hours=20) for p in periods
            for o in range(1, 41, 2)
        )  # fmt: skip
        s.commit()
        return periods[0].id


def counts(client, engine, workspace_id: int, period_id: int) -> list[int]:
    out = []
    for path in [*PATHS, f"/api/v1/periods/{period_id}/plan"]:
        with count_statements(engine) as log:
            resp = client.get(path, headers=auth(workspace_id=workspace_id))
        assert resp.status_code == 200, resp.text
        out.append(log.count)
    return out


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_statements_do_not_grow_with_the_actions(client, engine):
    small = counts(client, engine, 1, fill(engine, 10, 1))
    large = counts(client, engine, 2, fill(engine, 2000, 2))
    assert small == large, (small, large)
    assert max(large) <= 6
