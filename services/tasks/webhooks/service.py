"""Rules of webhook endpoints: saving, secrets and their rotation, the delivery log, replay, the test event.

Never commits (the caller's transaction does). URLs are checked against kit.outbound by the caller before they
reach here (the check is async: it may resolve the name) and again before every send (deliver.py)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from kit.dates import as_utc
from kit.errors import Conflict
from kit.query import get_scoped, select_page
from services.tasks.webhooks import crypto, payloads
from services.tasks.webhooks.models import (
    DeliveryState,
    EndpointCreate,
    EndpointKind,
    EndpointPublic,
    EndpointUpdate,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

ROTATION_GRACE = timedelta(hours=24)  # the previous secret keeps signing this long after a rotation


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def get_endpoint(*, session: Session, workspace_id: int, endpoint_id: int) -> WebhookEndpoint:
    return get_scoped(session, WebhookEndpoint, workspace_id, endpoint_id, "webhook endpoint")


def list_endpoints(*, session: Session, workspace_id: int, limit: int, offset: int):
    where = [WebhookEndpoint.workspace_id == workspace_id]
    return select_page(session, WebhookEndpoint, where, [col(WebhookEndpoint.id)], limit=limit, offset=offset)


def publish(endpoint: WebhookEndpoint, now: datetime) -> EndpointPublic:
    until = as_utc(endpoint.previous_until) if endpoint.previous_until else None
    rotating = until if until is not None and until > now and endpoint.previous_secret else None
    names = [name for name in EndpointPublic.model_fields if name != "rotating_until"]
    return EndpointPublic(**{name: getattr(endpoint, name) for name in names}, rotating_until=rotating)


def create_endpoint(
    *, session: Session, workspace_id: int, user_id: int, data: EndpointCreate
) -> tuple[WebhookEndpoint, str | None]:
    """The new endpoint and its signing secret in the clear (to show once; only its sealed form is kept)."""
    endpoint = WebhookEndpoint(
        workspace_id=workspace_id,
        kind=data.kind,
        url=data.url,
        description=data.description,
        event_kinds=[kind.value for kind in data.event_kinds],
        created_by=user_id,
    )
    secret = payloads.new_secret() if data.kind == EndpointKind.standard else None
    if secret is not None:
        endpoint.secret = crypto.key_ring().seal(secret, workspace_id=workspace_id)
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def update_endpoint(*, session: Session, endpoint: WebhookEndpoint, data: EndpointUpdate, now: datetime) -> None:
    changes = data.model_dump(exclude_unset=True)
    for name in ("url", "description"):
        if changes.get(name) is not None:
            setattr(endpoint, name, changes[name])
    if changes.get("event_kinds") is not None:
        endpoint.event_kinds = sorted({kind.value for kind in data.event_kinds or []})
    if changes.get("enabled") is True and not endpoint.enabled:
        endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since = True, None, None
        endpoint.active_since = now  # what happened while it was off is not sent
    elif changes.get("enabled") is False and endpoint.enabled:
        disable(session=session, endpoint=endpoint, reason="Disabled by an admin")
    endpoint.updated_at = now
    session.add(endpoint)


def delete_endpoint(*, session: Session, endpoint: WebhookEndpoint) -> None:
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    ids = list(session.exec(deliveries).all())
    if ids:
        for attempt in session.exec(select(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(ids))).all():
            session.delete(attempt)
        for delivery in session.exec(select(WebhookDelivery).where(col(WebhookDelivery.id).in_(ids))).all():
            session.delete(delivery)
        session.flush()
    session.delete(endpoint)


def rotate_secret(*, session: Session, endpoint: WebhookEndpoint, now: datetime) -> tuple[str, datetime]:
    """A new current secret; the old one keeps signing (both in the header) for ROTATION_GRACE."""
    if endpoint.kind != EndpointKind.standard:
        raise Conflict("Only a Standard Webhooks endpoint has a signing secret; Slack and Teams URLs carry their own.")
    secret = payloads.new_secret()
    endpoint.previous_secret, endpoint.previous_until = endpoint.secret, now + ROTATION_GRACE
    endpoint.secret = crypto.key_ring().seal(secret, workspace_id=endpoint.workspace_id)
    endpoint.updated_at = now
    session.add(endpoint)
    return secret, now + ROTATION_GRACE


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a message now: the current one, and the previous one during a rotation."""
    sealed = [endpoint.secret] if endpoint.secret else []
    if endpoint.previous_secret and endpoint.previous_until and as_utc(endpoint.previous_until) > now:
        sealed.append(endpoint.previous_secret)
    ring = crypto.key_ring()
    return [ring.open(item, workspace_id=endpoint.workspace_id) for item in sealed]


def disable(*, session: Session, endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop the endpoint: no new deliveries, and the waiting ones end as failed."""
    endpoint.enabled, endpoint.disabled_reason = False, reason[:300]
    session.add(endpoint)
    waiting = select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == DeliveryState.pending
    )
    for delivery in session.exec(waiting).all():
        delivery.state, delivery.next_attempt_at = DeliveryState.failed, None
        delivery.last_error = "The endpoint was disabled"
        session.add(delivery)


def list_deliveries(*, session: Session, endpoint: WebhookEndpoint, limit: int, offset: int):
    where = [WebhookDelivery.endpoint_id == endpoint.id]
    order = [col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc()]
    return select_page(session, WebhookDelivery, where, order, limit=limit, offset=offset)


def get_delivery(*, session: Session, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    delivery = get_scoped(session, WebhookDelivery, endpoint.workspace_id, delivery_id, "delivery")
    if delivery.endpoint_id != endpoint.id:
        get_scoped(session, WebhookDelivery, -1, delivery_id, "delivery")  # not this endpoint's: as if none
    return delivery


def attempts_of(*, session: Session, delivery: WebhookDelivery) -> list[WebhookAttempt]:
    query = select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id).order_by(col(WebhookAttempt.id))
    return list(session.exec(query).all())


def replay(*, session: Session, endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime) -> None:
    """Send a finished delivery again, with the same webhook-id, as a new round of the schedule."""
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled; enable it before replaying its deliveries.")
    if delivery.state not in (DeliveryState.succeeded, DeliveryState.failed):
        raise Conflict("This delivery is still being sent; it can be replayed once it has succeeded or failed.")
    delivery.state, delivery.attempts, delivery.next_attempt_at = DeliveryState.pending, 0, now
    delivery.last_error = None
    session.add(delivery)


def send_test(*, session: Session, endpoint: WebhookEndpoint, user_id: int, now: datetime) -> WebhookDelivery:
    """A webhook.test delivery to this endpoint, due now."""
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled; enable it before sending a test event.")
    message_id = new_message_id()
    payload = {
        "type": payloads.TEST_TYPE,
        "timestamp": payloads.timestamp_of(now),
        "data": {"workspaceId": endpoint.workspace_id, "endpointId": endpoint.id, "sentBy": user_id, "params": {}},
    }
    delivery = WebhookDelivery(
        workspace_id=endpoint.workspace_id,
        endpoint_id=endpoint.id,
        occurrence=f"test:{message_id}",
        message_id=message_id,
        event_type=payloads.TEST_TYPE,
        payload=payload,
        next_attempt_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def count_deliveries(*, session: Session, endpoint_id: int, state: DeliveryState | None = None) -> int:
    query = select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    return session.exec(query).one()


def erase_old_deliveries(*, session: Session, before: datetime) -> int:
    """Remove finished deliveries (and their attempts) last tried before `before`; how many. Waiting ones stay."""
    old = select(WebhookDelivery.id).where(
        col(WebhookDelivery.state).in_([DeliveryState.succeeded, DeliveryState.failed]),
        func.coalesce(WebhookDelivery.last_attempt_at, WebhookDelivery.created_at) < before,
    )
    ids = list(session.exec(old.limit(5000)).all())
    if ids:
        session.execute(delete(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(ids)))
        session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.id).in_(ids)))
    return len(ids)
