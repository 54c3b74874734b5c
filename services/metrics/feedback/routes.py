"""HTTP routes of feedback: the inbox and its items, handling, history, taxonomy, targets, settings, KPIs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from kit.deps import OneHopRoute, SessionDep
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import IdQuery, IdsQuery, PageDep, search_query
from services.metrics.feedback import builtin, feed, privacy, service
from services.metrics.feedback.models import (
    Answer,
    Bulk,
    BulkResult,
    CategoryIn,
    CategoryPublic,
    CategoryUpdate,
    Channel,
    EventPublic,
    FeedbackCreate,
    FeedbackKind,
    FeedbackKpiPublic,
    FeedbackList,
    FeedbackPublic,
    FeedbackSettingsIn,
    FeedbackSettingsPublic,
    FeedbackState,
    FeedbackUpdate,
    ReportRow,
    Sentiment,
    TargetIn,
    TargetPublic,
    Transition,
)

router = APIRouter(tags=["feedback"], route_class=OneHopRoute)
URL = "/api/v1/feedback"
NOT_FOUND = {404: {"description": "No such feedback item, or category, in this workspace"}}
ITEM = f"{URL}/{{item_id}}"


@router.get(f"{URL}/categories", response_model=list[CategoryPublic], summary="The feedback taxonomy")
def list_categories(session: SessionDep, principal: PrincipalDep):
    return service.categories(session=session, workspace_id=principal.workspace_id)


@router.post(f"{URL}/categories", response_model=CategoryPublic, status_code=201, summary="Add a category")
def create_category(data: CategoryIn, session: SessionDep, principal: EditorDep):
    return service.create_category(session=session, workspace_id=principal.workspace_id, name=data.name)


@router.patch(
    f"{URL}/categories/{{category_id}}",
    response_model=CategoryPublic,
    responses=NOT_FOUND,
    summary="Rename or archive a category",
)
def update_category(category_id: int, data: CategoryUpdate, session: SessionDep, principal: EditorDep):
    return service.update_category(
        session=session,
        workspace_id=principal.workspace_id,
        category_id=category_id,
        name=data.name,
        archived=data.archived,
    )


@router.get(f"{URL}/targets", response_model=list[TargetPublic], summary="Answer-time targets per channel")
def list_targets(session: SessionDep, principal: PrincipalDep):
    return service.targets(session=session, workspace_id=principal.workspace_id)


@router.put(f"{URL}/targets/{{channel}}", response_model=TargetPublic, summary="Set a channel's answer-time target")
def set_target(channel: Channel, data: TargetIn, session: SessionDep, principal: EditorDep):
    return service.set_target(session=session, workspace_id=principal.workspace_id, channel=channel, data=data)


@router.delete(f"{URL}/targets/{{channel}}", status_code=204, summary="Remove a channel's target")
def delete_target(channel: Channel, session: SessionDep, principal: EditorDep):
    service.delete_target(session=session, workspace_id=principal.workspace_id, channel=channel)


@router.get(f"{URL}/settings", response_model=FeedbackSettingsPublic, summary="Multiplier and retention")
def get_settings(session: SessionDep, principal: PrincipalDep):
    return service.settings(session=session, workspace_id=principal.workspace_id)


@router.patch(f"{URL}/settings", response_model=FeedbackSettingsPublic, summary="Change multiplier or retention")
def update_settings(data: FeedbackSettingsIn, session: SessionDep, principal: EditorDep):
    return service.update_settings(
        session=session,
        workspace_id=principal.workspace_id,
        multiplier=data.multiplier,
        retention_months=data.retention_months,
        sent=set(data.model_fields_set),
    )


@router.get(f"{URL}/kpis", response_model=list[FeedbackKpiPublic], summary="The dissatisfaction KPIs")
def list_feedback_kpis(session: SessionDep, principal: PrincipalDep):
    """The workspace's KPIs fed by feedback (not archived): what each measures, of which category or channel."""
    return [
        FeedbackKpiPublic(kpi_id=s.kpi_id, name=k.name, measure=s.measure, category_id=s.category_id, channel=s.channel)
        for s, k in builtin.existing(session=session, workspace_id=principal.workspace_id)
    ]


@router.post(f"{URL}/kpis", response_model=list[FeedbackKpiPublic], summary="Create the dissatisfaction KPIs")
def create_kpis(session: SessionDep, principal: EditorDep):
    """One call makes the built-in KPIs (source feedback) the workspace lacks and fills them from the items."""
    made = builtin.create_builtin(session=session, workspace_id=principal.workspace_id)
    return [
        FeedbackKpiPublic(kpi_id=s.kpi_id, name=k.name, measure=s.measure, category_id=s.category_id, channel=s.channel)
        for s, k in made
    ]


@router.get(f"{URL}/report", response_model=list[ReportRow], summary="Items and complaints per month and category")
def report(
    session: SessionDep,
    principal: PrincipalDep,
    start: Annotated[date, Query(alias="from", description="First month (its 1st)")],
    end: Annotated[date, Query(alias="to", description="Last month (its 1st)")],
):
    """Per month, category, channel and surface: how many items and complaints, aggregated in SQL."""
    return feed.report(session, principal.workspace_id, start, end)


@router.post(f"{URL}/bulk", response_model=BulkResult, summary="Assign or categorise several items")
def bulk(data: Bulk, session: SessionDep, principal: EditorDep):
    updated = service.bulk(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        ids=data.ids,
        owner_id=data.owner_id,
        category_id=data.category_id,
        sent=set(data.model_fields_set),
    )
    return BulkResult(updated=updated)


@router.get(URL, response_model=FeedbackList, summary="The inbox")
def list_items(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    state: FeedbackState | None = None,
    channel: Channel | None = None,
    category_id: IdQuery = None,
    kind: FeedbackKind | None = None,
    sentiment: Sentiment | None = None,
    surface_id: IdQuery = None,
    owner_id: IdQuery = None,
    past_target: Annotated[bool, Query(description="Only items past their answer-time target")] = False,
    q: search_query("Text contains") = None,
    ids: IdsQuery = None,
):
    filters = {
        "ids": ids,
        "state": state,
        "channel": channel,
        "category_id": category_id,
        "kind": kind,
        "sentiment": sentiment,
        "surface_id": surface_id,
        "owner_id": owner_id,
        "past_target": past_target,
        "q": q,
    }
    rows, total = service.list_items(
        session=session,
        workspace_id=principal.workspace_id,
        filters=filters,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    return FeedbackList.of([service.to_public(r) for r in rows], total, page)


@router.post(URL, response_model=FeedbackPublic, status_code=status.HTTP_201_CREATED, summary="File a feedback item")
def create_item(data: FeedbackCreate, session: SessionDep, principal: EditorDep):
    """Manual entry and the push API for tools: the item is filed as new."""
    item = service.create_item(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        data=data,
        tz=principal.timezone,
    )
    return service.to_public(item)


@router.get(ITEM, response_model=FeedbackPublic, responses=NOT_FOUND, summary="A feedback item")
def get_item(item_id: int, session: SessionDep, principal: PrincipalDep):
    return service.to_public(service.get_item(session=session, workspace_id=principal.workspace_id, item_id=item_id))


@router.patch(ITEM, response_model=FeedbackPublic, responses=NOT_FOUND, summary="Change a feedback item")
def update_item(item_id: int, data: FeedbackUpdate, session: SessionDep, principal: EditorDep):
    item = service.update_item(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        item_id=item_id,
        data=data,
        tz=principal.timezone,
    )
    return service.to_public(item)


@router.post(f"{ITEM}/state", response_model=FeedbackPublic, responses=NOT_FOUND, summary="Move an item's state")
def transition(item_id: int, data: Transition, session: SessionDep, principal: EditorDep):
    item = service.transition(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        item_id=item_id,
        state=data.state,
    )
    return service.to_public(item)


@router.post(f"{ITEM}/answer", response_model=FeedbackPublic, responses=NOT_FOUND, summary="Answer an item")
def answer(item_id: int, data: Answer, session: SessionDep, principal: EditorDep):
    item = service.answer(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, item_id=item_id, text=data.text
    )
    return service.to_public(item)


@router.post(
    f"{ITEM}/erase", response_model=FeedbackPublic, responses=NOT_FOUND, summary="Erase the customer's personal data"
)
def erase(item_id: int, session: SessionDep, principal: EditorDep):
    """On the customer's request: name, contact, link and texts go; kind, category, times and KPIs stay."""
    item = privacy.erase(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, item_id=item_id
    )
    return service.to_public(item)


@router.get(f"{ITEM}/history", response_model=list[EventPublic], responses=NOT_FOUND, summary="Handling history")
def history(item_id: int, session: SessionDep, principal: PrincipalDep):
    return service.history(session=session, workspace_id=principal.workspace_id, item_id=item_id)
