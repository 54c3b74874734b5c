"""HTTP routes of effect evidence: thin, they parse the probes, call the service and return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kit.deps import OneHopRoute, SessionDep
from kit.identity import PrincipalDep
from services.metrics.effects import service, verdict
from services.metrics.effects.models import EffectList

router = APIRouter(prefix="/api/v1/effects", tags=["effects"], route_class=OneHopRoute)
MAX_PROBES = 500
ProbeQuery = Annotated[
    list[str],
    Query(
        min_length=1,
        max_length=MAX_PROBES,
        description="Repeated; each ref:kpi_id:done_on:periods:up|down[:size[:percent|absolute]], e.g. "
        "12:5:2026-03-14:3:up:10:percent (ref is yours: it comes back as given)",
    ),
]


@router.get(
    "",
    response_model=EffectList,
    operation_id="listEffects",
    summary="Effect evidence for done actions",
    description="For each probe: the KPI's mean per period in the window after completion against the same "
    "number of periods before (or the same periods a year before, when the KPI has that history), the change, "
    "the expected change and a suggested verdict with its reason. " + (verdict.__doc__ or "").split("\n\n")[1],
    responses={422: {"description": "A probe that cannot be read, naming probe.<index>"}},
)
def list_effects(session: SessionDep, principal: PrincipalDep, probe: ProbeQuery):
    probes = [service.parse_probe(text, i) for i, text in enumerate(probe)]
    rows = service.compute(session=session, workspace_id=principal.workspace_id, probes=probes, today=principal.today())
    return EffectList(data=rows, count=len(rows))
