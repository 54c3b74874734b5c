"""The scorecard: a period's KPIs as inputs → activities → results, with status, change and a sparkline.

Four queries whatever the number of KPIs: the KPIs, their values for the period and the eleven before it
(one grouped query), their targets, and the date of each one's latest observation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, func, or_, select

from services.metrics import targets
from services.metrics.models import Category, Kpi

SPARKLINE = 12  # periods, the current one last


def _periods(kind: str, day: date) -> list[tuple[date, date]]:
    """The SPARKLINE periods ending with the one holding `day`, oldest first."""
    periods = [targets.period_bounds(kind, day)]
    while len(periods) < SPARKLINE:
        periods.append(targets.previous_bounds(kind, periods[-1][0]))
    return periods[::-1]


def _kpis(session: Session, workspace_id: int, surface_id: int | None) -> list[Kpi]:
    where = [Kpi.workspace_id == workspace_id, Kpi.archived == False]  # noqa: E712  (SQL, not Python)
    if surface_id is not None:
        where.append(or_(Kpi.surface_id == surface_id, col(Kpi.surface_id).is_(None)))
    return list(session.exec(select(Kpi).where(*where).order_by(func.lower(col(Kpi.name)), col(Kpi.id))).all())


def _item(kpi: Kpi, line: list[float | None], goal: targets.Goal, stale: bool) -> dict[str, Any]:
    value, previous = line[-1], line[-2]
    share = targets.attainment(kpi, value, goal)
    status = targets.status_of(kpi, value, share)
    change = value - previous if value is not None and previous is not None else None
    return {"kpi_id": kpi.id, "name": kpi.name, "unit": kpi.unit.value, "currency_code": kpi.currency_code,
            "direction": kpi.direction.value, "value": value, "previous_value": previous, "change": change,
            "target": goal.target, "band_low": goal.band_low, "band_high": goal.band_high,
            "attainment": share, "status": status, "status_label": targets.STATUS_LABELS[status],
            "sparkline": line, "stale": stale}


def build(*, session: Session, workspace_id: int, period: str, day: date, surface_id: int | None = None,
          today: date | None = None) -> dict[str, Any]:
    """The scorecard of the workspace (or of one surface and the workspace-wide KPIs) for a period."""
    kpis = _kpis(session, workspace_id, surface_id)
    periods = _periods(period, day)
    ids = [k.id for k in kpis]
    found = targets.values(session, ids, [targets.Bucket(start, end) for start, end in periods])
    goals = targets.goals_for(session, ids, {i: periods[-1] for i in ids})
    last = targets.last_observed(session, ids)
    today = today or date.today()
    columns: dict[str, list[dict[str, Any]]] = {c.value: [] for c in Category}
    for kpi in kpis:
        line = [found.get((kpi.id, n)) for n in range(SPARKLINE)]
        stale = targets.is_stale(kpi.expected_frequency and kpi.expected_frequency.value, last.get(kpi.id), today)
        columns[kpi.category.value].append(_item(kpi, line, goals.get(kpi.id, targets.Goal()), stale))
    start, end = periods[-1]
    return {"period": {"kind": period, "start": start, "end": end, "label": targets.period_label(period, start)},
            "columns": columns}
