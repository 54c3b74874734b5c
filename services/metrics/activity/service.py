"""Rules of activity KPIs: a published figure is applied once per version (an older or repeated one changes
nothing), and fills the month of every KPI that takes it; linking a KPI fills it from the figures held."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from kit.errors import Invalid
from kit.fields import utcnow
from services.metrics.activity.models import PER_TEMPLATE, ActivityFigure, ActivityKpi, ActivityMeasure
from services.metrics.kpis.models import Frequency, Source
from services.metrics.kpis.service import get_kpi
from services.metrics.observations.service import store_month_values

ACTIVITY = Source("activity")


def record(
    session: Session,
    *,
    workspace_id: int,
    measure: ActivityMeasure,
    key: int,
    month: date,
    value: float | None,
    version: int,
) -> bool:
    """Apply one published figure; False when this version (or a later one) was applied already."""
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
    return True


def link(
    *, session: Session, workspace_id: int, kpi_id: int, measure: ActivityMeasure, template_id: int | None
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
    return row


def _months_of(session: Session, kpi_id: int) -> list[date]:
    from services.metrics.observations.models import Observation

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
