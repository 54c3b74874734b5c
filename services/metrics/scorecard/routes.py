"""HTTP routes of the scorecard: thin, they parse, call the rules and return."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.deps import OneHopRoute, SessionDep
from kit.fields import FIRST_DAY, LAST_DAY, MAX_ID
from kit.identity import PrincipalDep
from services.metrics.scorecard import service
from services.metrics.scorecard.models import Scorecard, ScorecardPeriod

router = APIRouter(prefix="/api/v1", tags=["scorecard"], route_class=OneHopRoute)


# Twelve periods back and one forward must stay inside the calendar.
DateQuery = Annotated[
    date | None,
    Query(alias="date", ge=FIRST_DAY, le=LAST_DAY, description="A day in the period; default today"),
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
def export_scorecard_csv(
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
