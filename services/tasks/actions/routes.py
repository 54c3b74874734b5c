"""HTTP routes of the action list, its matrix, effects and track record, and the periods' load: thin."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from kit.deps import OneHopRoute, SessionDep
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import IdQuery, IdsQuery, PageDep, search_query
from kit.query import get_scoped
from services.tasks.actions import effect, export, planning, priority, service
from services.tasks.actions import status as statuses
from services.tasks.actions.models import (
    ActionCreate,
    ActionDetail,
    ActionEffect,
    ActionEffectList,
    ActionList,
    ActionPublic,
    ActionSettingsIn,
    ActionSettingsPublic,
    ActionStatus,
    ActionUpdate,
    ChangeKind,
    EvaluationIn,
    Matrix,
    PlanIn,
    StatusChange,
    TrackRecord,
)
from services.tasks.actions.owners import GatewayOwners
from services.tasks.periods.models import Period

router = APIRouter(prefix="/api/v1/actions", tags=["actions"], route_class=OneHopRoute)
periods_router = APIRouter(prefix="/api/v1/periods", tags=["periods"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such action in this workspace"}}
INVALID = {422: {"description": "Invalid input naming the field (kpi_id, goal_id, period_id, status, …)"}}
UNAVAILABLE = {503: {"description": "The service that owns an id could not be asked; nothing was changed"}}
MAX_EXPORT = 10_000


def owners(request: Request) -> GatewayOwners:
    return GatewayOwners(getattr(request.app.state, "internal", None), request)


OwnersDep = Annotated[GatewayOwners, Depends(owners)]


def filters(
    status: Annotated[list[ActionStatus] | None, Query(description="Only these statuses (repeat)")] = None,
    period_id: IdQuery = None,
    kpi_id: IdQuery = None,
    surface_id: IdQuery = None,
    goal_id: IdQuery = None,
    owner_id: IdQuery = None,
    change_kind: ChangeKind | None = None,
    finding_ids: IdsQuery = None,
    feedback_item_id: IdQuery = None,
    ids: IdsQuery = None,
    done_since: Annotated[date | None, Query(description="Done on or after")] = None,
    q: search_query("Title contains") = None,
) -> dict[str, Any]:
    return {k: v for k, v in locals().items() if v is not None}


FiltersDep = Annotated[dict, Depends(filters)]


def _one(session, principal, action) -> ActionPublic:
    rows = [(action, service.period_end(session, action))]
    return service.publish(session=session, workspace_id=principal.workspace_id, rows=rows, today=principal.today())[0]


def _effect(action_id: int, found: dict[str, Any]) -> ActionEffect:
    return ActionEffect(action_id=action_id, **{k: v for k, v in found.items() if k in ActionEffect.model_fields})


def _get(session, principal, action_id: int):
    return service.get_action(session=session, workspace_id=principal.workspace_id, action_id=action_id)


@router.get(
    "", response_model=ActionList, operation_id="listActions", summary="List actions",
    description="Quick wins first (low effort, high gain), then big bets, fill-ins and money pits, unless sorted "
    f"by one of: {', '.join(sorted(service.ACTION_SORTS | {'gain'}))}.",
)  # fmt: skip
def list_actions(session: SessionDep, principal: PrincipalDep, page: PageDep, f: FiltersDep):
    rows, total = service.list_actions(
        session=session, workspace_id=principal.workspace_id, filters=f, sort=page.sort,
        limit=page.limit, offset=page.offset,
    )  # fmt: skip
    data = service.publish(session=session, workspace_id=principal.workspace_id, rows=rows, today=principal.today())
    return ActionList.of(data, total, page)


@router.post(
    "", response_model=ActionPublic, status_code=status.HTTP_201_CREATED, operation_id="createAction",
    responses={**INVALID, **UNAVAILABLE}, summary="Make an action",
    description="From a finding (finding_id) its KPI, surface and kind of change are taken unless given.",
)  # fmt: skip
def create_action(data: ActionCreate, session: SessionDep, principal: EditorDep, own: OwnersDep, response: Response):
    action = service.create_action(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, data=data, owners=own
    )
    response.headers["Location"] = f"/api/v1/actions/{action.id}"
    return _one(session, principal, action)


@router.get("/export.csv", operation_id="exportActions", summary="The action list as CSV", response_class=Response)
def export_csv(session: SessionDep, principal: PrincipalDep, f: FiltersDep):
    rows, _ = service.list_actions(session=session, workspace_id=principal.workspace_id, filters=f, limit=MAX_EXPORT)
    data = service.publish(session=session, workspace_id=principal.workspace_id, rows=rows, today=principal.today())
    headers = {"Content-Disposition": 'attachment; filename="actions.csv"'}
    return Response(export.to_csv(data), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/matrix", response_model=Matrix, operation_id="actionMatrix", summary="The priority matrix")
def matrix(session: SessionDep, principal: PrincipalDep, page: PageDep, f: FiltersDep):
    f.setdefault("status", [ActionStatus.idea, ActionStatus.planned, ActionStatus.in_progress])
    rows, total = service.list_actions(
        session=session, workspace_id=principal.workspace_id, filters=f, sort=page.sort,
        limit=page.limit, offset=page.offset,
    )  # fmt: skip
    settings = service.get_settings(session=session, workspace_id=principal.workspace_id)
    data = service.publish(session=session, workspace_id=principal.workspace_id, rows=rows, today=principal.today())
    return Matrix(low_effort_hours=settings.hours_m, high_gain=priority.HIGH_GAIN, data=data, count=total)


@router.get("/track-record", response_model=TrackRecord, operation_id="actionTrackRecord", summary="Track record")
def track_record(session: SessionDep, principal: PrincipalDep):
    """Per kind of change: how many evaluated actions were confirmed, and how far off the expected effects were."""
    return TrackRecord(data=effect.track_record(session=session, workspace_id=principal.workspace_id))


@router.get("/settings", response_model=ActionSettingsPublic, operation_id="getActionSettings", summary="Effort sizes")
def get_settings(session: SessionDep, principal: PrincipalDep):
    return ActionSettingsPublic.model_validate(
        service.get_settings(session=session, workspace_id=principal.workspace_id), from_attributes=True
    )


@router.put("/settings", response_model=ActionSettingsPublic, responses=INVALID, operation_id="putActionSettings")
def put_settings(data: ActionSettingsIn, session: SessionDep, principal: EditorDep):
    """Hours per effort size (S, M, L, XL); M is also where low effort ends on the matrix."""
    row = service.put_settings(session=session, workspace_id=principal.workspace_id, data=data)
    return ActionSettingsPublic.model_validate(row, from_attributes=True)


@router.get("/effects", response_model=ActionEffectList, responses=UNAVAILABLE, operation_id="listActionEffects")
def effects(session: SessionDep, principal: PrincipalDep, own: OwnersDep, ids: IdsQuery = None):
    """The effect evidence of the done actions among `ids` (or of every done action, at most 500)."""
    f = {"ids": ids} if ids else {}
    f["status"] = list(effect.DONE)
    rows, _ = service.list_actions(session=session, workspace_id=principal.workspace_id, filters=f, limit=500)
    found = effect.evidence(session=session, actions=[a for a, _ in rows], owners=own)
    data = [_effect(i, e) for i, e in found.items()]
    return ActionEffectList(data=data, count=len(data))


@router.get("/capacity", response_model=list[planning.Load], operation_id="periodLoads")
def period_loads(session: SessionDep, principal: PrincipalDep, ids: IdsQuery = None):
    """Planned effort against capacity for every period of the workspace (or `ids`), in one answer."""
    found = planning.loads(session=session, workspace_id=principal.workspace_id, period_ids=ids)
    return list(found.values())


@router.get("/{action_id}", response_model=ActionDetail, responses=NOT_FOUND, operation_id="getAction")
def get_action(action_id: int, session: SessionDep, principal: PrincipalDep):
    """An action with its history (who changed what, when)."""
    action = _get(session, principal, action_id)
    public = _one(session, principal, action)
    return ActionDetail(**public.model_dump(), history=service.history(session=session, action=action))


@router.patch("/{action_id}", response_model=ActionPublic, responses={**NOT_FOUND, **INVALID, **UNAVAILABLE})
def update_action(action_id: int, data: ActionUpdate, session: SessionDep, principal: EditorDep, own: OwnersDep):
    """Change the fields sent; the status changes through /status, the evaluation through /evaluation."""
    action = service.update_action(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, action_id=action_id,
        data=data, owners=own,
    )  # fmt: skip
    return _one(session, principal, action)


@router.post(
    "/{action_id}/status", response_model=ActionPublic, responses={**NOT_FOUND, **INVALID},
    operation_id="changeActionStatus", summary="Change an action's status", description=statuses.describe(),
)  # fmt: skip
def change_status(action_id: int, data: StatusChange, session: SessionDep, principal: EditorDep):
    action = service.change_status(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, action_id=action_id,
        target=data.status, reason=data.reason, done_on=data.done_on, today=principal.today(),
    )  # fmt: skip
    return _one(session, principal, action)


@router.post("/{action_id}/plan", response_model=ActionPublic, responses={**NOT_FOUND, **INVALID})
def plan(action_id: int, data: PlanIn, session: SessionDep, principal: EditorDep):
    """Plan into a period (an idea becomes planned), move to another period, or take out (null: back to idea)."""
    action = service.plan(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, action_id=action_id,
        period_id=data.period_id,
    )  # fmt: skip
    return _one(session, principal, action)


@router.get("/{action_id}/effect", response_model=ActionEffect, responses={**NOT_FOUND, **UNAVAILABLE})
def get_effect(action_id: int, session: SessionDep, principal: PrincipalDep, own: OwnersDep):
    """The evidence so far: baseline, observed, change, expected change, suggested verdict, confounders."""
    action = _get(session, principal, action_id)
    found = effect.evidence(session=session, actions=[action], owners=own).get(action.id)
    if found is None:
        return ActionEffect(action_id=action.id, verdict=None, reason="The action is not done yet.")
    return _effect(action.id, found)


@router.post("/{action_id}/evaluation", response_model=ActionPublic, responses={**NOT_FOUND, **INVALID, **UNAVAILABLE})
def evaluate(action_id: int, data: EvaluationIn, session: SessionDep, principal: EditorDep, own: OwnersDep):
    """Record the verdict (Effekt's suggestion or a person's own) and a note: the action becomes evaluated."""
    action = _get(session, principal, action_id)
    found = effect.evidence(session=session, actions=[action], owners=own).get(action.id)
    action = service.mark_evaluated(
        session=session, action=action, user_id=principal.user_id, verdict=data.verdict, note=data.note, evidence=found
    )
    return _one(session, principal, action)


@periods_router.get(
    "/{period_id}/plan", response_model=planning.PeriodPlan, responses={404: {"description": "No such period"}},
    operation_id="periodPlan", summary="A period's capacity and actions",
)  # fmt: skip
def period_plan(period_id: int, session: SessionDep, principal: PrincipalDep):
    """Planned effort against capacity (over: more planned than the period has hours) and the actions by status."""
    period = get_scoped(session, Period, principal.workspace_id, period_id, "period")
    rows, _ = service.list_actions(
        session=session, workspace_id=principal.workspace_id, filters={"period_id": period_id}, limit=MAX_EXPORT
    )
    data = service.publish(session=session, workspace_id=principal.workspace_id, rows=rows, today=principal.today())
    return planning.period_plan(session=session, period=period, actions=data)
