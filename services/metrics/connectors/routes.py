"""HTTP routes of connectors, their feeds and runs: thin, they parse, call the service and return.

Credentials are write-only: accepted on create and update, never in an answer (credentials_set names them).
Creating, changing and removing a connector takes an admin (it holds another system's keys); feeds, runs and
previews an editor. Test and preview call the vendor from the thread pool, never on the event loop."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel

from kit.deps import OneHopRoute, SessionDep
from kit.errors import Unavailable
from kit.identity import AdminDep, EditorDep, PrincipalDep
from kit.pagination import PageDep
from kit.queue import queue_name
from services.metrics.connectors import probe, service
from services.metrics.connectors.kinds import KINDS
from services.metrics.connectors.kinds.base import ConnectorCategory
from services.metrics.connectors.models import (
    ConnectorCreate,
    ConnectorList,
    ConnectorPublic,
    ConnectorUpdate,
    FeedCreate,
    FeedList,
    FeedPublic,
    FeedUpdate,
    Kind,
    Preview,
    Probe,
    RunList,
    RunPublic,
    State,
)

router = APIRouter(prefix="/api/v1/connectors", tags=["connectors"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such connector (or feed) in this workspace"}}
log = logging.getLogger("effekt.metrics.connectors")


class FieldOut(BaseModel):
    name: str
    label: str
    help: str
    required: bool
    placeholder: str
    pattern: str


class MetricOut(BaseModel):
    key: str
    label: str
    filter_label: str | None
    filter_required: bool


class KindOut(BaseModel):
    kind: Kind
    label: str
    category: ConnectorCategory
    settings: list[FieldOut]
    credentials: list[FieldOut]
    metrics: list[MetricOut]
    docs: str


class RunQueued(BaseModel):
    run_key: str


def _kind_out(spec) -> KindOut:
    return KindOut(
        kind=spec.kind,
        label=spec.label,
        category=spec.category,
        settings=[FieldOut(**vars(f)) for f in spec.settings],
        credentials=[FieldOut(**vars(f)) for f in spec.credentials],
        metrics=[MetricOut(**vars(m)) for m in spec.metrics],
        docs=spec.docs,
    )


@router.get("/kinds", response_model=list[KindOut], summary="The kinds of connector", operation_id="listConnectorKinds")
def list_kinds(principal: PrincipalDep):
    return [_kind_out(spec) for spec in KINDS.values()]


@router.get("", response_model=ConnectorList, summary="List connectors", operation_id="listConnectors")
def list_connectors(
    session: SessionDep, principal: PrincipalDep, page: PageDep, kind: Kind | None = None, state: State | None = None
):
    rows, total = service.list_connectors(
        session=session,
        workspace_id=principal.workspace_id,
        kind=kind,
        state=state,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    return ConnectorList.of([service.to_public(r) for r in rows], total, page)


@router.post(
    "",
    response_model=ConnectorPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Create a connector",
    operation_id="createConnector",
)
def create_connector(data: ConnectorCreate, session: SessionDep, principal: AdminDep, response: Response):
    connector = service.create_connector(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        timezone=principal.timezone,
        data=data,
    )
    response.headers["Location"] = f"/api/v1/connectors/{connector.id}"
    return service.to_public(connector)


@router.post("/test", response_model=Preview, summary="Test an unsaved connection", operation_id="testConnection")
def test_new(data: Probe, session: SessionDep, principal: AdminDep):
    return probe.test_connection(session=session, workspace_id=principal.workspace_id, connector_id=None, data=data)


@router.post("/preview", response_model=Preview, summary="Preview an unsaved connector", operation_id="previewNew")
def preview_new(data: Probe, session: SessionDep, principal: AdminDep):
    return probe.preview(
        session=session, workspace_id=principal.workspace_id, connector_id=None, data=data, timezone=principal.timezone
    )


@router.get("/{connector_id}", response_model=ConnectorPublic, responses=NOT_FOUND, operation_id="getConnector")
def get_connector(connector_id: int, session: SessionDep, principal: PrincipalDep):
    return service.to_public(
        service.get_connector(session=session, workspace_id=principal.workspace_id, connector_id=connector_id)
    )


@router.patch("/{connector_id}", response_model=ConnectorPublic, responses=NOT_FOUND, operation_id="updateConnector")
def update_connector(connector_id: int, data: ConnectorUpdate, session: SessionDep, principal: AdminDep):
    return service.to_public(
        service.update_connector(
            session=session, workspace_id=principal.workspace_id, connector_id=connector_id, data=data
        )
    )


@router.delete(
    "/{connector_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND, operation_id="deleteConnector"
)
def delete_connector(connector_id: int, session: SessionDep, principal: AdminDep):
    service.delete_connector(session=session, workspace_id=principal.workspace_id, connector_id=connector_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{connector_id}/test", response_model=Preview, responses=NOT_FOUND, operation_id="testConnector")
def test_saved(connector_id: int, session: SessionDep, principal: EditorDep, data: Probe | None = None):
    return probe.test_connection(
        session=session, workspace_id=principal.workspace_id, connector_id=connector_id, data=data or Probe()
    )


@router.post("/{connector_id}/preview", response_model=Preview, responses=NOT_FOUND, operation_id="previewConnector")
def preview_saved(connector_id: int, session: SessionDep, principal: EditorDep, data: Probe | None = None):
    return probe.preview(
        session=session,
        workspace_id=principal.workspace_id,
        connector_id=connector_id,
        data=data or Probe(),
        timezone=principal.timezone,
    )


@router.post(
    "/{connector_id}/run",
    response_model=RunQueued,
    status_code=status.HTTP_202_ACCEPTED,
    responses={**NOT_FOUND, 503: {"description": "The queue is unreachable; try again"}},
    summary="Run a connector now",
    operation_id="runConnector",
)
async def run_now(connector_id: int, request: Request, principal: EditorDep):
    # async: the lookup is one primary-key read; the run itself happens in a worker
    from services.metrics.connectors.jobs import check_runnable

    await check_runnable(request.app.state.engine, principal.workspace_id, connector_id)
    run_key = f"manual:{uuid.uuid4().hex}"
    try:
        await request.app.state.queue.enqueue_job(
            "pull_connector",
            connector_id,
            run_key,
            "manual",
            _job_id=f"pull_connector:{connector_id}:{run_key}",
            _queue_name=queue_name("metrics"),
        )
    except Exception:
        log.exception("could not queue connector %s", connector_id)
        raise Unavailable("The job queue is unreachable; try again in a moment.") from None
    return RunQueued(run_key=run_key)


# --- feeds and runs --------------------------------------------------------------------------------


@router.get("/{connector_id}/feeds", response_model=FeedList, responses=NOT_FOUND, operation_id="listFeeds")
def list_feeds(connector_id: int, session: SessionDep, principal: PrincipalDep):
    rows = service.list_feeds(session=session, workspace_id=principal.workspace_id, connector_id=connector_id)
    return FeedList(data=[service.feed_public(r) for r in rows], count=len(rows), limit=len(rows), offset=0)


@router.post(
    "/{connector_id}/feeds",
    response_model=FeedPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, 409: {"description": "The connector feeds that KPI and period already"}},
    operation_id="createFeed",
)
def create_feed(connector_id: int, data: FeedCreate, session: SessionDep, principal: EditorDep, response: Response):
    feed = service.create_feed(
        session=session, workspace_id=principal.workspace_id, connector_id=connector_id, data=data
    )
    response.headers["Location"] = f"/api/v1/connectors/{connector_id}/feeds/{feed.id}"
    return service.feed_public(feed)


@router.get("/{connector_id}/feeds/{feed_id}", response_model=FeedPublic, responses=NOT_FOUND, operation_id="getFeed")
def get_feed(connector_id: int, feed_id: int, session: SessionDep, principal: PrincipalDep):
    return service.feed_public(
        service.get_feed(
            session=session, workspace_id=principal.workspace_id, connector_id=connector_id, feed_id=feed_id
        )
    )


@router.patch(
    "/{connector_id}/feeds/{feed_id}", response_model=FeedPublic, responses=NOT_FOUND, operation_id="updateFeed"
)
def update_feed(connector_id: int, feed_id: int, data: FeedUpdate, session: SessionDep, principal: EditorDep):
    feed = service.update_feed(
        session=session, workspace_id=principal.workspace_id, connector_id=connector_id, feed_id=feed_id, data=data
    )
    return service.feed_public(feed)


@router.delete(
    "/{connector_id}/feeds/{feed_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
    operation_id="deleteFeed",
)
def delete_feed(connector_id: int, feed_id: int, session: SessionDep, principal: EditorDep):
    service.delete_feed(
        session=session, workspace_id=principal.workspace_id, connector_id=connector_id, feed_id=feed_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{connector_id}/runs", response_model=RunList, responses=NOT_FOUND, operation_id="listConnectorRuns")
def list_runs(
    connector_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
):
    rows, total = service.list_runs(
        session=session, workspace_id=principal.workspace_id, connector_id=connector_id, limit=limit, offset=offset
    )
    return RunList(
        data=[RunPublic.model_validate(r, from_attributes=True) for r in rows], count=total, limit=limit, offset=offset
    )
