"""Sending deliveries: claim the due ones (each by one worker), send, and record every attempt.

Claiming: on PostgreSQL the due rows are locked FOR UPDATE SKIP LOCKED and marked `sending` until a lease runs
out; on SQLite a conditional UPDATE … WHERE state='pending' claims each row (one writer at a time). A worker that
dies mid-send leaves its claim to run out, and the row is due again: the receiver sees the same webhook-id (the
spec's idempotency key). The result is written only while the claim is still the worker's own.

Outcomes: a 2xx succeeds (and clears the endpoint's failing streak); a 410 Gone disables the endpoint; any other
answer, a timeout or a refused address is a failure retried on the schedule (settings: the spec's by default)
until it runs out; an endpoint failing for `webhook_disable_after_days` without one success is disabled."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kit.dates import as_utc
from kit.fields import utcnow
from kit.outbound import OutboundRefused, check_url
from services.tasks.webhooks import crypto, payloads, service
from services.tasks.webhooks.config import settings
from services.tasks.webhooks.models import (
    DeliveryState,
    EndpointKind,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

log = logging.getLogger("effekt.tasks.webhooks")


def _lease() -> timedelta:
    return timedelta(seconds=settings().webhook_timeout * 2 + 5)  # past the longest request a send can make


def _due(now: datetime):
    table = WebhookDelivery
    return or_(
        and_(table.state == DeliveryState.pending, col(table.next_attempt_at) <= now),
        and_(table.state == DeliveryState.sending, col(table.claimed_until) < now),
    )


def claim(engine: Engine, now: datetime, limit: int | None = None) -> list[tuple[int, datetime]]:
    """Claim up to `limit` (the batch setting) due deliveries: (id, claim) of each, the claim its lease's end."""
    limit = limit or settings().webhook_batch
    until = now + _lease()
    claimed: list[tuple[int, datetime]] = []
    with Session(engine) as session:
        query = select(WebhookDelivery.id).where(_due(now)).order_by(col(WebhookDelivery.next_attempt_at)).limit(limit)
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.exec(query).all())
        for delivery_id in ids:
            result = session.execute(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id) == delivery_id, _due(now))
                .values(state=DeliveryState.sending, claimed_until=until)
            )
            if result.rowcount == 1:
                claimed.append((delivery_id, until))
        session.commit()
    return claimed


def _load(engine: Engine, delivery_id: int) -> tuple[WebhookDelivery, WebhookEndpoint]:
    with Session(engine, expire_on_commit=False) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        assert endpoint is not None
        return delivery, endpoint


def request_of(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime) -> tuple[bytes, dict]:
    if endpoint.kind == EndpointKind.slack:
        return payloads.json_request(payloads.slack_body(delivery.payload))
    if endpoint.kind == EndpointKind.teams:
        return payloads.json_request(payloads.teams_body(delivery.payload))
    return payloads.standard_request(
        delivery.payload, delivery.message_id, int(now.timestamp()), service.signing_secrets(endpoint, now)
    )


async def send_one(
    engine: Engine, delivery_id: int, claim_until: datetime, client: httpx.AsyncClient, now: Callable = utcnow
) -> DeliveryState | None:
    """One attempt of a claimed delivery; its state after, or None if the claim was lost meanwhile."""
    delivery, endpoint = await asyncio.to_thread(_load, engine, delivery_id)
    status: int | None = None
    error: str | None = None
    started = time.monotonic()
    if not endpoint.enabled:
        error = "The endpoint is disabled"
    else:
        try:
            await check_url(endpoint.url)
            body, headers = request_of(endpoint, delivery, now())
            # Streamed and never read: only the status counts, and a receiver's endless body costs nothing.
            async with asyncio.timeout(settings().webhook_timeout):  # in all, however slowly the answer drips
                async with client.stream("POST", endpoint.url, content=body, headers=headers) as response:
                    status = response.status_code
            if not 200 <= status < 300:
                error = f"The receiver answered {status}"
        except (OutboundRefused, crypto.SecretError) as exc:
            error = str(exc)
        except httpx.HTTPError as exc:
            error = f"No answer: {type(exc).__name__}"
        except TimeoutError:
            error = f"No answer within {settings().webhook_timeout:g} s"
    elapsed = int((time.monotonic() - started) * 1000)
    return await asyncio.to_thread(_record, engine, delivery_id, claim_until, status, error, elapsed, now())


def _record(
    engine: Engine,
    delivery_id: int,
    claim_until: datetime,
    status: int | None,
    error: str | None,
    elapsed: int,
    now: datetime,
) -> DeliveryState | None:
    with Session(engine) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if (
            delivery is None
            or delivery.state != DeliveryState.sending
            or delivery.claimed_until is None
            or as_utc(delivery.claimed_until) != claim_until
        ):
            return None  # the claim ran out and another worker took the row
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        assert endpoint is not None
        session.add(
            WebhookAttempt(delivery_id=delivery_id, at=now, status_code=status, error=error, duration_ms=elapsed)
        )
        delivery.attempts += 1
        delivery.last_status, delivery.last_error, delivery.last_attempt_at = status, error, now
        delivery.claimed_until = None
        schedule = settings().schedule()
        if status is not None and 200 <= status < 300:
            delivery.state, delivery.next_attempt_at = DeliveryState.succeeded, None
            endpoint.failing_since = None
            session.add(endpoint)
        elif status == 410:
            delivery.state, delivery.next_attempt_at = DeliveryState.failed, None
            service.disable(session=session, endpoint=endpoint, reason="The receiver answered 410 Gone")
        elif not endpoint.enabled or delivery.attempts >= len(schedule):
            delivery.state, delivery.next_attempt_at = DeliveryState.failed, None
        else:
            delivery.state = DeliveryState.pending
            delivery.next_attempt_at = now + timedelta(seconds=schedule[delivery.attempts])
        if delivery.state != DeliveryState.succeeded and endpoint.enabled:
            endpoint.failing_since = endpoint.failing_since or now
            session.add(endpoint)
            days = settings().webhook_disable_after_days
            if now - as_utc(endpoint.failing_since) >= timedelta(days=days):
                service.disable(session=session, endpoint=endpoint, reason=f"Failing for {days:g} days")
                if delivery.state == DeliveryState.pending:
                    delivery.state, delivery.next_attempt_at = DeliveryState.failed, None
        session.add(delivery)
        session.commit()
        return delivery.state


async def send_due(engine: Engine, *, now: Callable = utcnow, client: httpx.AsyncClient | None = None) -> int:
    """Claim and send every due delivery (batches until none is due); how many attempts were made."""
    own = client is None
    client = client or httpx.AsyncClient(timeout=settings().webhook_timeout, follow_redirects=False)
    made = 0
    try:
        while True:
            claimed = await asyncio.to_thread(claim, engine, now())
            if not claimed:
                return made
            batch = asyncio.ensure_future(
                asyncio.gather(*(send_one(engine, delivery_id, until, client, now) for delivery_id, until in claimed))
            )
            try:
                results = await asyncio.shield(batch)
            except asyncio.CancelledError:
                # The job is cancelled (Redis went away, the worker stops): requests already sent are let finish
                # and their answers recorded, or the receiver would get them again after the claims run out.
                await asyncio.wait([batch], timeout=settings().webhook_timeout + 5)
                raise
            made += len(results)
    finally:
        if own:
            await client.aclose()
