"""HTTP routes of KPI targets and the scorecard: thin, they parse, call the rules and return."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel, Field

from kit.fields import MAX_ID
from kit.identity import EditorDep, PrincipalDep
from services.metrics.db import SessionDep
from services.metrics.kpis import targets
from services.metrics.kpis.models import KpiTargetIn, KpiTargetPublic
from services.metrics.scorecard import service

router = APIRouter(prefix="/api/v1", tags=["scorecard"])
NOT_FOUND = {404: {"description": "No such KPI in this workspace"}}


class ScorecardPeriod(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


class PeriodInfo(BaseModel):
    kind: ScorecardPeriod
    start: date
    end: date
    label: str


class ScorecardItem(BaseModel):
    kpi_id: int
    name: str
    unit: str
    currency_code: str | None
    direction: str
    value: float | None
    previous_value: float | None
    change: float | None
    target: float | None
    band_low: float | None
    band_high: float | None
    projected: float | None = Field(
        description="On pace while the period runs (summed KPIs): the value so far "
        "scaled to the whole period; attainment and status use it"
    )
    attainment: float | None
    status: str
    status_label: str
    sparkline: list[float | None]
    stale: bool
    category: str
    derived: bool = Field(description="True when the value comes from a formula over other KPIs")
    formula_display: str | None = Field(description="The formula with the current names of its inputs")
    inputs: list[int] = Field(description="Ids of the KPIs the formula uses")


class ScorecardColumns(BaseModel):
    input: list[ScorecardItem]
    activity: list[ScorecardItem]
    result: list[ScorecardItem]


class Scorecard(BaseModel):
    period: PeriodInfo
    columns: ScorecardColumns


@router.get(
    "/kpis/{kpi_id}/targets",
    response_model=list[KpiTargetPublic],
    responses=NOT_FOUND,
    summary="List a KPI's targets",
    tags=["kpis"],
)
def list_targets(kpi_id: int, session: SessionDep, principal: PrincipalDep):
    return targets.list_targets(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id)


@router.put(
    "/kpis/{kpi_id}/targets",
    response_model=list[KpiTargetPublic],
    responses=NOT_FOUND,
    summary="Replace a KPI's targets",
    tags=["kpis"],
    description="A target per period, or one target with a date (period_start = period_end). Periods must not overlap.",
)
def replace_targets(
    kpi_id: int, items: Annotated[list[KpiTargetIn], Body(max_length=1000)], session: SessionDep, principal: EditorDep
):
    return targets.replace_targets(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id, items=items)


# Twelve periods back and one forward must stay inside the calendar.
DateQuery = Annotated[
    date | None,
    Query(alias="date", ge=date(1900, 1, 1), le=date(9998, 12, 31), description="A day in the period; default today"),
]
SurfaceQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="This surface's and workspace-wide KPIs")]


@router.get("/scorecard", response_model=Scorecard, summary="The scorecard of a period", description=service.__doc__)
def get_scorecard(
    session: SessionDep,
    principal: PrincipalDep,
    day: DateQuery = None,
    surface_id: SurfaceQuery = None,
    period: ScorecardPeriod = ScorecardPeriod.month,
):
    return service.build(
        session=session,
        workspace_id=principal.workspace_id,
        period=period.value,
        day=day or principal.today(),
        surface_id=surface_id,
        today=principal.today(),
    )


@router.get(
    "/scorecard/export.csv",
    response_class=Response,
    summary="Export the scorecard of a period as CSV",
    responses={
        200: {
            "content": {"text/csv": {}},
            "description": ", ".join(service.CSV_COLUMNS) + "; one row per KPI, column by column as on the scorecard",
        }
    },
)
def export_scorecard(
    session: SessionDep,
    principal: PrincipalDep,
    day: DateQuery = None,
    surface_id: SurfaceQuery = None,
    period: ScorecardPeriod = ScorecardPeriod.month,
):
    card = service.build(
        session=session,
        workspace_id=principal.workspace_id,
        period=period.value,
        day=day or principal.today(),
        surface_id=surface_id,
        today=principal.today(),
    )
    name = f"scorecard-{period.value}-{card['period']['start'].isoformat()}"
    if surface_id is not None:
        name += f"-surface-{surface_id}"
    return Response(
        service.to_csv(card),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )
