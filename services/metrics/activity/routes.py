"""HTTP routes of activity KPIs: which KPI takes which figure of Effekt's own work, and the figures held."""

from __future__ import annotations

from fastapi import APIRouter, status

from kit.deps import OneHopRoute, SessionDep
from kit.errors import NotFound
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import PageDep
from kit.query import Page
from services.metrics.activity import service
from services.metrics.activity.models import (
    ActivityFigurePublic,
    ActivityKpi,
    ActivityKpiPublic,
    ActivityMeasure,
    ActivitySourceIn,
)

router = APIRouter(tags=["activity"], route_class=OneHopRoute)
URL = "/api/v1/activity"
NOT_FOUND = {404: {"description": "No such KPI in this workspace, or it takes no activity figure"}}


class ActivityFigureList(Page[ActivityFigurePublic]):
    pass


def _public(row: ActivityKpi) -> ActivityKpiPublic:
    return ActivityKpiPublic(kpi_id=row.kpi_id, measure=row.measure, template_id=row.key or None)


@router.get(f"{URL}/kpis", response_model=list[ActivityKpiPublic], summary="KPIs fed by activity")
def list_activity_kpis(session: SessionDep, principal: PrincipalDep):
    """Every KPI of the workspace that takes its values from Effekt's own work."""
    return [_public(r) for r in service.links(session=session, workspace_id=principal.workspace_id)]


@router.get(
    f"{URL}/kpis/{{kpi_id}}", response_model=ActivityKpiPublic, responses=NOT_FOUND, summary="A KPI's activity source"
)
def get_activity_source(kpi_id: int, session: SessionDep, principal: PrincipalDep):
    """Which figure of Effekt's own work feeds the KPI; 404 when none does."""
    row = service.source_of(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id)
    if row is None:
        raise NotFound(f"KPI {kpi_id} takes no activity figure.")
    return _public(row)


@router.put(
    f"{URL}/kpis/{{kpi_id}}", response_model=ActivityKpiPublic, responses=NOT_FOUND, summary="Feed a KPI by activity"
)
def set_activity_source(kpi_id: int, data: ActivitySourceIn, session: SessionDep, principal: EditorDep):
    """The KPI takes its values from a figure the tasks service publishes (workflow runs finished per template,
    tasks done, on-time share, hours logged, cost of actions done), per month, and is filled from the months
    known at once."""
    row = service.link(
        session=session,
        workspace_id=principal.workspace_id,
        kpi_id=kpi_id,
        measure=data.measure,
        template_id=data.template_id,
    )
    return _public(row)


@router.delete(
    f"{URL}/kpis/{{kpi_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
    summary="Stop feeding a KPI by activity",
)
def delete_activity_source(kpi_id: int, session: SessionDep, principal: EditorDep):
    """Its activity values go; values from other sources stay."""
    service.unlink(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id)


@router.get(f"{URL}/figures", response_model=ActivityFigureList, summary="Activity figures received")
def list_activity_figures(
    session: SessionDep, principal: PrincipalDep, page: PageDep, measure: ActivityMeasure | None = None
):
    """What the tasks service published, newest month first."""
    rows, total = service.figures(
        session=session, workspace_id=principal.workspace_id, measure=measure, limit=page.limit, offset=page.offset
    )
    data = [
        ActivityFigurePublic(
            measure=r.measure, template_id=r.key or None, month=r.month, value=r.value, version=r.version
        )
        for r in rows
    ]
    return ActivityFigureList.of(data, total, page)
