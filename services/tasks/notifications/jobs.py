"""The arq cron of notifications: plan new events, open the digests whose hour has come, send what is due.

Every step is safe to run in several workers at once (the unique keys and the claim in outbox.py), so the cron
needs no lock of its own; arq's `unique` only saves duplicate work."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import httpx
from aiosmtplib import SMTPException
from sqlalchemy.engine import Engine
from sqlmodel import Session

from kit.fields import utcnow
from kit.settings import common
from services.tasks.config import TasksSettings, settings
from services.tasks.db import create_engine_from_settings
from services.tasks.notifications import outbox, service
from services.tasks.notifications.mail import Smtp, compose, message_id, send
from services.tasks.notifications.recipients import Directory, GatewayDirectory, Recipient

log = logging.getLogger("effekt.tasks.notifications")
PLAN_ROUNDS = 20


@lru_cache
def _engine() -> Engine:
    return create_engine_from_settings()


async def deliver(
    *, engine: Engine, directory: Directory, now: datetime | None = None, cfg: TasksSettings | None = None
) -> dict[str, int]:
    """One round: what was planned, digests opened, emails sent, deferred (quiet hours), failed, and taken back
    by another worker while this one was slow."""
    cfg = cfg or settings()
    smtp = Smtp.of(cfg)
    counts = {"planned": 0, "digests": 0, "sent": 0, "deferred": 0, "failed": 0, "taken": 0}
    if smtp is None:
        return counts  # email is off: the events stay in the inbox, nothing is planned to flood in later
    now = now or utcnow()
    merge = timedelta(minutes=cfg.notify_merge_minutes)
    for _ in range(PLAN_ROUNDS):  # a backlog (email was down, or just switched on) is planned in batches
        planned = await asyncio.to_thread(outbox.plan, engine, now, merge)
        counts["planned"] += planned
        if planned < outbox.PLAN_BATCH:
            break
    people: dict[int, dict[int, Recipient]] = {}
    pairs = await asyncio.to_thread(outbox.waiting_digests, engine)
    by_workspace: dict[int, list[int]] = defaultdict(list)
    for workspace_id, user_id in pairs:
        by_workspace[workspace_id].append(user_id)
    zones = {}
    for workspace_id, user_ids in by_workspace.items():
        found = await _lookup(directory, people, workspace_id, user_ids)
        zones.update({(workspace_id, u): r.timezone for u, r in found.items() if u in user_ids})
    counts["digests"] = await asyncio.to_thread(outbox.open_digests, engine, now, zones, cfg.notify_digest_hour)
    base_url = cfg.public_url or common().gateway_url
    stale = timedelta(seconds=cfg.notify_claim_seconds)
    began = time.monotonic()

    def clock() -> datetime:  # `now` moving on as the round takes its time (claims are stamped with it)
        return now + timedelta(seconds=time.monotonic() - began)

    for _ in range(PLAN_ROUNDS):
        stamp = clock()
        claimed = await asyncio.to_thread(outbox.claim, engine, stamp, outbox.CLAIM_BATCH, stale)
        for delivery_id in claimed:
            # shielded: a job let go when Redis goes away (kit.queue) still marks what it sent, not leaving it to
            # be sent again; the rest of the batch waits for the stale time and another worker
            one = asyncio.ensure_future(
                _deliver_one(engine, directory, people, smtp, base_url, delivery_id, stamp, clock)
            )
            try:
                counts[await asyncio.shield(one)] += 1
            except asyncio.CancelledError:
                await asyncio.wait([one], timeout=cfg.smtp_timeout + 5)
                raise
        if len(claimed) < outbox.CLAIM_BATCH:
            break
    return counts


async def _lookup(directory: Directory, people: dict, workspace_id: int, user_ids) -> dict[int, Recipient]:
    known = people.setdefault(workspace_id, {})
    missing = [u for u in user_ids if u not in known]
    if missing:
        known.update(await directory.lookup(workspace_id, missing))
    return known


async def _deliver_one(
    engine, directory, people, smtp: Smtp, base_url: str, delivery_id: int, now: datetime, clock
) -> str:
    delivery, events = await asyncio.to_thread(outbox.contents, engine, delivery_id)
    if not events:
        await asyncio.to_thread(outbox.failed, engine, delivery_id, now, "nothing to send", final=True)
        return "failed"
    try:
        found = await _lookup(directory, people, delivery.workspace_id, [delivery.recipient_id])
    except httpx.HTTPError as exc:
        await asyncio.to_thread(outbox.failed, engine, delivery_id, now, f"recipient unknown: {exc}")
        return "failed"
    to = found.get(delivery.recipient_id)
    if to is None or not to.email:
        await asyncio.to_thread(outbox.failed, engine, delivery_id, now, "not a member any more", final=True)
        return "failed"
    with Session(engine) as session:
        start, end = service.quiet_hours(session=session, workspace_id=delivery.workspace_id, user_id=to.user_id)
    until = outbox.quiet_until(now, start, end, to.timezone)
    if until is not None:
        await asyncio.to_thread(outbox.defer, engine, delivery_id, until)
        return "deferred"
    msg = compose(
        key=delivery.key, digest=delivery.digest, events=events, to=to, sender=smtp.sender, base_url=base_url, date=now
    )
    fresh = clock()
    if not await asyncio.to_thread(outbox.renew, engine, delivery_id, now, fresh):
        return "taken"  # this worker was too slow over its batch: another one took the claim back and sends it
    try:
        await send(smtp, msg)
    except (SMTPException, OSError, TimeoutError) as exc:
        log.warning("notification email %s failed: %s", delivery.key, exc)
        await asyncio.to_thread(outbox.failed, engine, delivery_id, now, str(exc) or type(exc).__name__)
        return "failed"
    await asyncio.to_thread(outbox.sent, engine, delivery_id, now, message_id(delivery.key, smtp.sender), fresh)
    return "sent"


async def deliver_notifications(ctx: dict[str, Any]) -> dict[str, int]:
    """Cron (every EFFEKT_TASKS_NOTIFY_SECONDS, a minute by default): one round of deliver() with the service's
    engine and the gateway's directory."""
    engine = ctx.get("tasks_engine") or _engine()
    directory = ctx.get("notifications_directory") or GatewayDirectory()
    return await deliver(engine=engine, directory=directory)
