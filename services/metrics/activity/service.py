"""Rules of activity KPIs: a published figure is applied once per version (an older or repeated one changes
nothing), and fills the month of every KPI that takes it; linking a KPI fills it from the figures held.

The tasks service publishes a month only when something happened in it, so a month with no figure (or one
whose figure went away) counts as 0 for a KPI that takes a count or a sum, from the first month the figure has
up to the current one: "no articles published" is a value, not a missing one (the KPI would be flagged stale).
The on-time share has no value without tasks, so its empty months stay empty."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from kit.errors import Invalid
from kit.fields import utcnow
from services.metrics.activity.models import PER_TEMPLATE, ActivityFigure, ActivityKpi, ActivityMeasure
from services.metrics.kpis.models import Frequency, Source
from services.metrics.kpis.service import get_kpi
from services.metrics.observations.models import Observation, Period
from services.metrics.observations.service import store_month_values

ACTIVITY = Source("activity")
NO_ZERO = {ActivityMeasure.tasks_on_time}  # a share: a month without tasks has none


def record(
    session: Session,
    *,
    workspace_id: int,
    measure: ActivityMeasure,
    key: int,
    month: date,
    value: float | None,
    version: int,
    today: date | None = None,
) -> bool:
    """Apply one published figure; False when this version (or a later one) was applied already. The empty
    months of the KPIs that take it, up to today's, become 0."""
    row = session.get(ActivityFigure, (workspace_id, measure, key, month))
    if row is not None and row.version >= version:
        return False
    row = row or ActivityFigure(workspace_id=workspace_id, measure=measure, key=key, month=month)
    row.value, row.version, row.updated_at = value, version, utcnow()
    session.add(row)
    session.flush()
    kpis = session.exec(
        select(ActivityKpi.kpi_id).where(
            ActivityKpi.workspace_id == workspace_id, ActivityKpi.measure == measure, ActivityKpi.key == key
        )
    ).all()
    store_month_values(session, workspace_id, {(kpi_id, month): value for kpi_id in kpis}, ACTIVITY)
    fill_empty_months(session, workspace_id=workspace_id, measure=measure, key=key, today=today)
    return True


def _month_range(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def fill_empty_months(
    session: Session, *, workspace_id: int, measure: ActivityMeasure, key: int, today: date | None = None
) -> int:
    """Give the KPIs that take (measure, key) a 0 for every month since the figure's first one, up to the current
    month, that has no figure (or one that went away); a month that has one already is left as it is. How many
    values were written: a second call writes none, and a figure arriving later replaces the month's 0."""
    if measure in NO_ZERO:
        return 0
    where = (ActivityFigure.workspace_id == workspace_id, ActivityFigure.measure == measure, ActivityFigure.key == key)
    held = {m: v for m, v in session.exec(select(ActivityFigure.month, ActivityFigure.value).where(*where)).all()}
    link_where = (ActivityKpi.workspace_id == workspace_id, ActivityKpi.measure == measure, ActivityKpi.key == key)
    kpis = list(session.exec(select(ActivityKpi.kpi_id).where(*link_where)).all())
    if not held or not kpis:
        return 0
    empty = [m for m in _month_range(min(held), (today or utcnow().date())) if held.get(m) is None]
    if not empty:
        return 0
    filled = set(
        session.exec(
            select(Observation.kpi_id, Observation.period_start).where(
                col(Observation.kpi_id).in_(kpis),
                Observation.period == Period.month,
                Observation.source == ACTIVITY,
                col(Observation.period_start).in_(empty),
            )
        ).all()
    )
    zeros = {(k, m): 0.0 for k in kpis for m in empty if (k, m) not in filled}
    store_month_values(session, workspace_id, zeros, ACTIVITY)
    return len(zeros)


def fill_all_empty_months(session: Session, today: date | None = None) -> int:
    """The daily cron's work: the empty months of every activity KPI of every workspace, up to today's."""
    feeds = session.exec(select(ActivityKpi.workspace_id, ActivityKpi.measure, ActivityKpi.key).distinct()).all()
    return sum(
        fill_empty_months(session, workspace_id=ws, measure=measure, key=key, today=today) for ws, measure, key in feeds
    )


def link(
    *,
    session: Session,
    workspace_id: int,
    kpi_id: int,
    measure: ActivityMeasure,
    template_id: int | None,
    today: date | None = None,
) -> ActivityKpi:
    """Make a KPI take its values from an activity figure: source "activity", monthly, filled from every month
    the figure has. Values it had from other sources stay (a person's typed value still wins a month)."""
    kpi = get_kpi(session=session, workspace_id=workspace_id, kpi_id=kpi_id)
    if kpi.formula:
        raise Invalid.field("kpi_id", "a derived KPI takes its values from its formula")
    if template_id is not None and measure not in PER_TEMPLATE:
        raise Invalid.field("template_id", f"{measure.value} is counted for the whole workspace")
    key = template_id or 0
    row = session.get(ActivityKpi, kpi_id) or ActivityKpi(kpi_id=kpi_id, workspace_id=workspace_id, measure=measure)
    if row.measure != measure or row.key != key:
        store_month_values(session, workspace_id, {(kpi_id, m): None for m in _months_of(session, kpi_id)}, ACTIVITY)
    row.measure, row.key = measure, key
    session.add(row)
    kpi.source = ACTIVITY
    kpi.expected_frequency = kpi.expected_frequency or Frequency.month
    session.add(kpi)
    session.flush()
    figures = session.exec(
        select(ActivityFigure).where(
            ActivityFigure.workspace_id == workspace_id, ActivityFigure.measure == measure, ActivityFigure.key == key
        )
    ).all()
    store_month_values(session, workspace_id, {(kpi_id, f.month): f.value for f in figures}, ACTIVITY)
    fill_empty_months(session, workspace_id=workspace_id, measure=measure, key=key, today=today)
    return row


def _months_of(session: Session, kpi_id: int) -> list[date]:
    return list(
        session.exec(
            select(Observation.period_start).where(Observation.kpi_id == kpi_id, Observation.source == ACTIVITY)
        ).all()
    )


def unlink(*, session: Session, workspace_id: int, kpi_id: int) -> None:
    """The KPI no longer takes activity figures: its activity values go, its source becomes api."""
    kpi = get_kpi(session=session, workspace_id=workspace_id, kpi_id=kpi_id)
    row = session.get(ActivityKpi, kpi_id)
    if row is not None:
        session.delete(row)
    store_month_values(session, workspace_id, {(kpi_id, m): None for m in _months_of(session, kpi_id)}, ACTIVITY)
    if kpi.source == ACTIVITY:
        kpi.source = Source("api")
        session.add(kpi)
    session.flush()


def source_of(*, session: Session, workspace_id: int, kpi_id: int) -> ActivityKpi | None:
    get_kpi(session=session, workspace_id=workspace_id, kpi_id=kpi_id)
    return session.get(ActivityKpi, kpi_id)


def links(*, session: Session, workspace_id: int) -> list[ActivityKpi]:
    query = select(ActivityKpi).where(ActivityKpi.workspace_id == workspace_id).order_by(col(ActivityKpi.kpi_id))
    return list(session.exec(query).all())


def figures(
    *, session: Session, workspace_id: int, measure: ActivityMeasure | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[ActivityFigure], int]:
    from kit.query import select_page

    where = [ActivityFigure.workspace_id == workspace_id]
    if measure is not None:
        where.append(ActivityFigure.measure == measure)
    order = [col(ActivityFigure.month).desc(), col(ActivityFigure.measure), col(ActivityFigure.key)]
    return select_page(session, ActivityFigure, where, order, limit=limit, offset=offset)
