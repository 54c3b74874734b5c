"""The metrics side of the demo's action list: the findings handed to the tasks demo, and two KPIs whose months
after an action tell a story - Conversion rate steps up after the checkout fix (confirmed); Net Promoter Score
stays where it was a year before after the review e-mail (inconclusive). The tasks demo marks those actions done
on the dates handed over in `refs["effects"]`."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from kit.dates import add_months
from services.metrics.cycles import service as cycles
from services.metrics.observations.models import Observation, Period

STORY = {  # key: (KPI, day of the month it is done, factor on its window; None: as a year before)
    "confirmed": ("Conversion rate", 12, 1.12),
    "inconclusive": ("Net Promoter Score", 20, None),
}
WINDOW = 3


def done_month(today: date) -> date:
    """Four months back: the three months after it have ended, so their effect can be judged."""
    return add_months(today.replace(day=1), -4)


def hand_over(session: Session, *, workspace_id: int, refs: dict, today: date) -> None:
    """Put the findings and the effect story (KPI and done date of each) in `refs` for the tasks demo."""
    rows, _ = cycles.list_findings(session=session, workspace_id=workspace_id, limit=500)
    refs["findings"] = [r.model_dump(mode="json") for r in rows]
    kpis = refs.get("kpis") or {}
    month = done_month(today)
    refs["effects"] = {
        key: {"kpi_id": kpis[name], "done_on": month.replace(day=day).isoformat()}
        for key, (name, day, _) in STORY.items()
        if name in kpis
    }


def shape(session: Session, *, kpis: dict[str, int], today: date) -> None:
    """Make the story's KPIs' windows tell it (before the cycles freeze their figures)."""
    for name, _, factor in STORY.values():
        if name in kpis:
            _shape(session, kpis[name], done_month(today), factor)


def _shape(session: Session, kpi_id: int, month: date, factor: float | None) -> None:
    months = [add_months(month, n) for n in range(1, WINDOW + 1)]
    year_before = [add_months(m, -12) for m in months]
    rows = session.exec(
        select(Observation).where(
            Observation.kpi_id == kpi_id,
            Observation.period == Period.month,
            col(Observation.period_start).in_(months + year_before),
        )
    ).all()
    by_month = {r.period_start: r for r in rows}
    for m, before in zip(months, year_before, strict=True):
        row = by_month.get(m)
        if row is None:
            continue
        if factor is not None:
            row.value = round(row.value * factor, 2)
        elif before in by_month:
            row.value = by_month[before].value
        session.add(row)
    session.flush()
