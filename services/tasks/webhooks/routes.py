"""HTTP routes of webhook endpoints (admins only): save, rotate the secret, the delivery log, replay, test."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool

from kit.deps import OneHopRoute, SessionDep
from kit.errors import Invalid
from kit.fields import utcnow
from kit.identity import AdminDep
from kit.outbound import OutboundRefused, check_url
from kit.pagination import PageDep
from kit.queue import queue_name
from services.tasks.webhooks import service
from services.tasks.webhooks.models import (
    AttemptPublic,
    DeliveryDetail,
    DeliveryList,
    DeliveryPublic,
    EndpointCreate,
    EndpointCreated,
    EndpointList,
    EndpointPublic,
    EndpointUpdate,
    SecretRotated,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such webhook endpoint (or delivery) in this workspace"}}
INVALID = {422: {"description": "Invalid input naming the field (url: not http(s), or a private address)"}}
CONFLICT = {409: {"description": "Not now: the endpoint is disabled, or the delivery is still being sent"}}


async def _checked(url: str) -> None:
    try:
        await check_url(url)
    except OutboundRefused as exc:
        raise Invalid.field("url", str(exc)) from None


async def _queue(request: Request) -> None:
    """Send now rather than at the next tick (the tick sends it anyway if Redis is away)."""
    queue = getattr(request.app.state, "queue", None)
    if queue is None:
        return
    try:
        await queue.enqueue_job("send_webhooks", _queue_name=queue_name("tasks"))
    except Exception:  # noqa: BLE001 - Redis away: the cron's next tick sends it
        pass


@router.get("", response_model=EndpointList, operation_id="listWebhooks", summary="The workspace's endpoints")
def list_webhooks(session: SessionDep, principal: AdminDep, page: PageDep):
    """Every endpoint of the workspace, with whether it is enabled and why not."""
    rows, total = service.list_endpoints(
        session=session, workspace_id=principal.workspace_id, limit=page.limit, offset=page.offset
    )
    now = utcnow()
    return EndpointList.of([service.publish(row, now) for row in rows], total, page)


@router.post(
    "", response_model=EndpointCreated, status_code=status.HTTP_201_CREATED, operation_id="createWebhook",
    responses=INVALID, summary="Add an endpoint",
    description="A Standard Webhooks endpoint gets a signing secret (whsec_…), shown in this answer only.",
)  # fmt: skip
async def create_webhook(data: EndpointCreate, session: SessionDep, principal: AdminDep):
    """Add an endpoint; its address must be a public http(s) URL unless the operator allows a range."""
    await _checked(data.url)

    def create():
        endpoint, secret = service.create_endpoint(
            session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, data=data
        )
        session.commit()
        return EndpointCreated(**service.publish(endpoint, utcnow()).model_dump(), secret=secret)

    return await run_in_threadpool(create)


@router.get("/{endpoint_id}", response_model=EndpointPublic, responses=NOT_FOUND, operation_id="getWebhook")
def get_webhook(endpoint_id: int, session: SessionDep, principal: AdminDep):
    """One endpoint (never its secret)."""
    endpoint = service.get_endpoint(session=session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id)
    return service.publish(endpoint, utcnow())


@router.patch(
    "/{endpoint_id}", response_model=EndpointPublic, responses={**NOT_FOUND, **INVALID}, operation_id="updateWebhook"
)
async def update_webhook(endpoint_id: int, data: EndpointUpdate, session: SessionDep, principal: AdminDep):
    """Change the address, description or event kinds; `enabled: true` turns a disabled endpoint back on."""
    if data.url is not None:
        await _checked(data.url)

    def update():
        endpoint = service.get_endpoint(session=session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id)
        service.update_endpoint(session=session, endpoint=endpoint, data=data, now=utcnow())
        session.commit()
        return service.publish(endpoint, utcnow())

    return await run_in_threadpool(update)


@router.delete(
    "/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND, operation_id="deleteWebhook"
)
def delete_webhook(endpoint_id: int, session: SessionDep, principal: AdminDep):
    """Remove an endpoint and its delivery log."""
    endpoint = service.get_endpoint(session=session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id)
    service.delete_endpoint(session=session, endpoint=endpoint)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{endpoint_id}/rotate-secret", response_model=SecretRotated, responses={**NOT_FOUND, **CONFLICT},
    operation_id="rotateWebhookSecret", summary="A new signing secret; the old one signs too for 24 hours",
)  # fmt: skip
def rotate_secret(endpoint_id: int, session: SessionDep, principal: AdminDep):
    """Make a new signing secret: both sign each message for 24 hours, so receivers can switch."""
    endpoint = service.get_endpoint(session=session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id)
    secret, until = service.rotate_secret(session=session, endpoint=endpoint, now=utcnow())
    return SecretRotated(secret=secret, previous_valid_until=until)


@router.post(
    "/{endpoint_id}/test", response_model=DeliveryPublic, status_code=status.HTTP_202_ACCEPTED,
    responses={**NOT_FOUND, **CONFLICT}, operation_id="testWebhook", summary="Send a webhook.test event",
)  # fmt: skip
async def test_webhook(endpoint_id: int, request: Request, session: SessionDep, principal: AdminDep):
    """Send a webhook.test event to the endpoint now; its delivery appears in the log."""

    def add():
        endpoint = service.get_endpoint(session=session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id)
        delivery = service.send_test(session=session, endpoint=endpoint, user_id=principal.user_id, now=utcnow())
        session.commit()
        return DeliveryPublic.model_validate(delivery)

    found = await run_in_threadpool(add)
    await _queue(request)
    return found


@router.get(
    "/{endpoint_id}/deliveries", response_model=DeliveryList, responses=NOT_FOUND, operation_id="listWebhookDeliveries",
    summary="The delivery log, newest first",
)  # fmt: skip
def list_deliveries(endpoint_id: int, session: SessionDep, principal: AdminDep, page: PageDep):
    """What was sent to the endpoint, with the state, last answer code and time of each."""
    endpoint = service.get_endpoint(session=session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id)
    rows, total = service.list_deliveries(session=session, endpoint=endpoint, limit=page.limit, offset=page.offset)
    return DeliveryList.of([DeliveryPublic.model_validate(row) for row in rows], total, page)


@router.get(
    "/{endpoint_id}/deliveries/{delivery_id}", response_model=DeliveryDetail, responses=NOT_FOUND,
    operation_id="getWebhookDelivery", summary="One delivery with its payload and every attempt",
)  # fmt: skip
def get_delivery(endpoint_id: int, delivery_id: int, session: SessionDep, principal: AdminDep):
    """One delivery: the payload and every attempt with its answer code and time."""
    endpoint = service.get_endpoint(session=session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id)
    delivery = service.get_delivery(session=session, endpoint=endpoint, delivery_id=delivery_id)
    log = [AttemptPublic.model_validate(a) for a in service.attempts_of(session=session, delivery=delivery)]
    return DeliveryDetail(**DeliveryPublic.model_validate(delivery).model_dump(), payload=delivery.payload, log=log)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/replay", response_model=DeliveryPublic,
    status_code=status.HTTP_202_ACCEPTED, responses={**NOT_FOUND, **CONFLICT}, operation_id="replayWebhookDelivery",
    summary="Send a delivery again (same webhook-id)",
)  # fmt: skip
async def replay_delivery(
    endpoint_id: int, delivery_id: int, request: Request, session: SessionDep, principal: AdminDep
):
    """Send a succeeded or failed delivery again, with the same webhook-id, from the start of the schedule."""

    def again():
        endpoint = service.get_endpoint(session=session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id)
        delivery = service.get_delivery(session=session, endpoint=endpoint, delivery_id=delivery_id)
        service.replay(session=session, endpoint=endpoint, delivery=delivery, now=utcnow())
        session.commit()
        return DeliveryPublic.model_validate(delivery)

    found = await run_in_threadpool(again)
    await _queue(request)
    return found
