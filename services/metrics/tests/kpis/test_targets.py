"""A KPI's targets: replaced as a whole, never overlapping, and the target of a window."""

from __future__ import annotations

from datetime import date

import pytest

from kit.errors import Invalid
from services.metrics.kpis import targets
from services.metrics.kpis.models import KpiTargetIn
from services.metrics.tests.factories import new_kpi as make


def test_targets_replace_and_refuse_overlaps(session):
    kpi = make(session)
    items = [
        KpiTargetIn(period_start=date(2026, 1, 1), period_end=date(2026, 6, 30), target=10),
        KpiTargetIn(period_start=date(2026, 6, 1), period_end=date(2026, 12, 31), target=20),
    ]
    with pytest.raises(Invalid) as exc:
        targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=items)
    assert exc.value.errors[0]["field"] == "targets.1.period_start"
    with pytest.raises(Invalid) as exc:
        targets.replace_targets(
            session=session,
            workspace_id=1,
            kpi_id=kpi.id,
            items=[KpiTargetIn(period_start=date(2026, 2, 1), period_end=date(2026, 1, 1), target=1)],
        )
    assert exc.value.errors[0]["field"] == "targets.0.period_end"
    items[1] = KpiTargetIn(period_start=date(2026, 7, 1), period_end=date(2026, 12, 31), target=20)
    targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=items)
    targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=items[1:])
    assert [t.target for t in targets.list_targets(session=session, workspace_id=1, kpi_id=kpi.id)] == [20]


def test_a_target_applies_to_its_own_period_only(session):
    kpi = make(session)
    targets.replace_targets(
        session=session,
        workspace_id=1,
        kpi_id=kpi.id,
        items=[
            KpiTargetIn(period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), target=1),
            KpiTargetIn(period_start=date(2026, 12, 1), period_end=date(2026, 12, 31), target=9),
        ],
    )

    def target_of(start: date, end: date) -> float | None:
        found = targets.goals_for(session, [kpi.id], {kpi.id: (start, end)})
        return found[kpi.id].target if kpi.id in found else None

    assert target_of(date(2026, 2, 1), date(2026, 2, 28)) == 1
    assert target_of(date(2026, 1, 1), date(2026, 12, 31)) == 9  # a year overlaps both: the latest one
    # A target set only for December 2026 is not the target of any other month, before or after it.
    assert target_of(date(2025, 12, 1), date(2025, 12, 31)) is None
    assert target_of(date(2026, 6, 1), date(2026, 6, 30)) is None
    assert target_of(date(2026, 11, 1), date(2026, 11, 30)) is None
    assert target_of(date(2026, 12, 1), date(2026, 12, 31)) == 9
    assert target_of(date(2027, 1, 1), date(2027, 1, 31)) is None
