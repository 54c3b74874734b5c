"""From event rows to email deliveries, and the claim that lets exactly one worker send each delivery.

plan(): every event not yet planned gets its NotificationItem (unique per event) by the recipient's choice for its
kind: at once (events about one run within the merge window join one pending delivery), the day's digest, or
in-app only. open_digests(): at the digest hour, local time, a person's waiting digest items become one delivery
keyed by the local day. claim(): due deliveries move from pending to sending with `FOR UPDATE SKIP LOCKED` on
PostgreSQL, and a conditional UPDATE … WHERE state = 'pending' on SQLite (one writer at a time), so one worker
holds each; a claim left in `sending` longer than STALE (a worker killed mid-send) is taken back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kit.dates import as_utc
from services.tasks.events.models import Event
from services.tasks.notifications import service
from services.tasks.notifications.models import Delivery, DeliveryState, EmailMode, NotificationItem

PLAN_BATCH = 500
CLAIM_BATCH = 50
STALE = timedelta(minutes=10)
TOO_OLD = timedelta(days=2)  # events older than this when first planned (email was off or down) stay in-app
MAX_ATTEMPTS = 6


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def plan(engine: Engine, now: datetime, merge: timedelta) -> int:
    """Plan the events not planned yet; how many. Two planners at once: one wins the batch, the other retries."""
    with Session(engine, expire_on_commit=False) as session:
        events = session.exec(
            select(Event)
            .outerjoin(NotificationItem, col(NotificationItem.event_id) == Event.id)
            .where(col(NotificationItem.id).is_(None))
            .order_by(col(Event.id))
            .limit(PLAN_BATCH)
        ).all()
        try:
            _plan_events(session, events, now, merge)
            session.commit()
        except IntegrityError:  # another planner took these events (or opened the same group) first
            session.rollback()
            return 0
    return len(events)


def _plan_events(session: Session, events: list[Event], now: datetime, merge: timedelta) -> None:
    modes: dict[tuple[int, int], dict] = {}
    for event in events:
        who = (event.workspace_id, event.recipient_id)
        if who not in modes:
            modes[who] = service.email_modes(session=session, workspace_id=who[0], user_id=who[1])
        mode = modes[who][event.kind]
        if mode == EmailMode.immediate and as_utc(event.created_at) < now - TOO_OLD:
            mode = EmailMode.off
        item = NotificationItem(
            event_id=event.id, workspace_id=event.workspace_id, recipient_id=event.recipient_id, mode=mode
        )
        if mode == EmailMode.immediate:
            item.delivery_id = _group(session, event, merge).id
        session.add(item)
        session.flush()


def _group(session: Session, event: Event, merge: timedelta) -> Delivery:
    """The pending delivery this event joins (same person and run, window still open), or a new one."""
    created = as_utc(event.created_at)
    if event.run_id is not None:
        open_ = session.exec(
            select(Delivery).where(
                Delivery.workspace_id == event.workspace_id,
                Delivery.recipient_id == event.recipient_id,
                Delivery.run_id == event.run_id,
                Delivery.state == DeliveryState.pending,
                col(Delivery.digest).is_(False),
                col(Delivery.send_after) > created,
            )
        ).first()
        if open_ is not None:
            return open_
        key = f"run:{event.workspace_id}:{event.recipient_id}:{event.run_id}:{event.id}"
        send_after = created + merge
    else:
        key, send_after = f"event:{event.id}", created
    delivery = Delivery(
        workspace_id=event.workspace_id,
        recipient_id=event.recipient_id,
        key=key,
        run_id=event.run_id,
        send_after=send_after,
    )
    session.add(delivery)
    session.flush()
    return delivery


def waiting_digests(engine: Engine) -> list[tuple[int, int]]:
    """(workspace, person) of everyone with digest items not yet in a digest."""
    with Session(engine) as session:
        rows = session.exec(
            select(NotificationItem.workspace_id, NotificationItem.recipient_id)
            .where(NotificationItem.mode == EmailMode.digest, col(NotificationItem.delivery_id).is_(None))
            .distinct()
        ).all()
    return [(ws, who) for ws, who in rows]


def open_digests(engine: Engine, now: datetime, zones: dict[tuple[int, int], str], hour: int) -> int:
    """For each (workspace, person) whose local time has passed the digest hour and who has no digest for the
    local day yet: one delivery of everything waiting since the last. The key (person, local day) is unique."""
    opened = 0
    for (workspace_id, user_id), name in zones.items():
        local = now.astimezone(zone(name))
        if local.time() < time(hour):
            continue
        key = f"digest:{workspace_id}:{user_id}:{local.date().isoformat()}"
        with Session(engine) as session:
            if session.exec(select(Delivery.id).where(Delivery.key == key)).first() is not None:
                continue
            delivery = Delivery(workspace_id=workspace_id, recipient_id=user_id, key=key, digest=True, send_after=now)
            session.add(delivery)
            try:
                session.flush()
                moved = session.exec(
                    update(NotificationItem)
                    .where(
                        NotificationItem.workspace_id == workspace_id,
                        NotificationItem.recipient_id == user_id,
                        NotificationItem.mode == EmailMode.digest,
                        col(NotificationItem.delivery_id).is_(None),
                    )
                    .values(delivery_id=delivery.id)
                ).rowcount
                if not moved:
                    session.rollback()
                    continue
                session.commit()
                opened += 1
            except IntegrityError:
                session.rollback()
    return opened


def _due(now: datetime, stale: timedelta = STALE):
    return or_(
        and_(Delivery.state == DeliveryState.pending, col(Delivery.send_after) <= now),
        and_(Delivery.state == DeliveryState.sending, col(Delivery.claimed_at) < now - stale),
    )


def claim(engine: Engine, now: datetime, limit: int = CLAIM_BATCH, stale: timedelta = STALE) -> list[int]:
    """Take up to `limit` due deliveries for this worker: each id is returned to one caller only; a claim older
    than `stale` (its worker died mid-send) is taken back."""
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            ids = list(
                session.exec(
                    select(Delivery.id)
                    .where(_due(now, stale))
                    .order_by(col(Delivery.send_after))
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                ).all()
            )
            if ids:
                session.exec(
                    update(Delivery)
                    .where(col(Delivery.id).in_(ids))
                    .values(state=DeliveryState.sending, claimed_at=now, attempts=Delivery.attempts + 1)
                )
            session.commit()
            return ids
        candidates = session.exec(
            select(Delivery.id, Delivery.state, Delivery.claimed_at)
            .where(_due(now, stale))
            .order_by(col(Delivery.send_after))
            .limit(limit)
        ).all()
        ids = []
        for delivery_id, state, claimed_at in candidates:
            same_claim = col(Delivery.claimed_at).is_(None) if claimed_at is None else Delivery.claimed_at == claimed_at
            taken = session.exec(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.state == state, same_claim)
                .values(state=DeliveryState.sending, claimed_at=now, attempts=Delivery.attempts + 1)
            ).rowcount
            session.commit()
            if taken == 1:
                ids.append(delivery_id)
        return ids


def contents(engine: Engine, delivery_id: int) -> tuple[Delivery, list[Event]]:
    with Session(engine, expire_on_commit=False) as session:
        delivery = session.get(Delivery, delivery_id)
        events = session.exec(
            select(Event)
            .join(NotificationItem, col(NotificationItem.event_id) == Event.id)
            .where(NotificationItem.delivery_id == delivery_id)
            .order_by(col(Event.created_at), col(Event.id))
        ).all()
        return delivery, list(events)


def renew(engine: Engine, delivery_id: int, claimed_at: datetime, now: datetime) -> bool:
    """Just before sending: is the claim still this worker's? Then it starts again at `now`. A worker that takes
    longer than the stale time over its batch finds a claim taken back by another and leaves it (else both send)."""
    with Session(engine) as session:
        taken = session.exec(
            update(Delivery)
            .where(
                Delivery.id == delivery_id, Delivery.state == DeliveryState.sending, Delivery.claimed_at == claimed_at
            )
            .values(claimed_at=now)
        ).rowcount
        session.commit()
    return taken == 1


def _settle(engine: Engine, delivery_id: int, change: Callable[[Delivery], None], claimed_at=None) -> None:
    with Session(engine) as session:
        delivery = session.get(Delivery, delivery_id)
        if delivery is None or delivery.state != DeliveryState.sending:
            return
        if claimed_at is not None and as_utc(delivery.claimed_at) != as_utc(claimed_at):
            return  # another worker holds it now: its outcome is the one written
        change(delivery)
        session.add(delivery)
        session.commit()


def sent(engine: Engine, delivery_id: int, now: datetime, message_id: str, claimed_at=None) -> None:
    def change(d: Delivery) -> None:
        d.state, d.sent_at, d.message_id, d.error = DeliveryState.sent, now, message_id, None

    _settle(engine, delivery_id, change, claimed_at)


def failed(engine: Engine, delivery_id: int, now: datetime, error: str, *, final: bool = False) -> None:
    """A failed attempt: again later (1, 2, 4 … minutes), or given up after MAX_ATTEMPTS or when `final`."""

    def change(d: Delivery) -> None:
        d.error = error[:500]
        if final or d.attempts >= MAX_ATTEMPTS:
            d.state = DeliveryState.failed
        else:
            d.state, d.send_after = DeliveryState.pending, now + timedelta(minutes=2 ** (d.attempts - 1))

    _settle(engine, delivery_id, change)


def defer(engine: Engine, delivery_id: int, until: datetime) -> None:
    """Back to pending until `until` (the end of the quiet hours); the claim does not count as an attempt."""

    def change(d: Delivery) -> None:
        d.state, d.send_after, d.attempts = DeliveryState.pending, until, max(0, d.attempts - 1)

    _settle(engine, delivery_id, change)


def quiet_until(now: datetime, start: time | None, end: time | None, zone_name: str) -> datetime | None:
    """The end of the quiet hours if `now` falls in them (in the person's zone; they may span midnight)."""
    if start is None or end is None:
        return None
    local = now.astimezone(zone(zone_name))
    t = local.time().replace(tzinfo=None)
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=local.tzinfo).astimezone(now.tzinfo)
