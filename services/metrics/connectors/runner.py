"""Running a connector: claim the run by its key, fetch every feed from the vendor, store all values or none.

The claim is a row in connector_runs unique on (connector, run key): of any number of workers handed the same
scheduled slot, one inserts it and the rest stop. Fetching happens on the event loop (httpx, async); the database
work in threads. Values are upserted as source `connector` on the observation key, so a re-pull replaces and
never duplicates. A failed run stores nothing and says why in words; two failed scheduled runs in a row mark the
connector failing and leave an event for its owner."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kit.db import in_session
from kit.fields import utcnow
from services.metrics.connectors.config import ConnectorSettings, connector_settings
from services.metrics.connectors.crypto import CredentialsError
from services.metrics.connectors.http import Vendor, VendorError, make_client
from services.metrics.connectors.kinds import spec
from services.metrics.connectors.kinds.base import KindSpec, Request, Source, period_start
from services.metrics.connectors.models import Connector, ConnectorRun, Feed, RunStatus, State, Trigger
from services.metrics.connectors.schedule import next_slot, today_in
from services.metrics.connectors.service import secrets_of
from services.metrics.kpis.models import Kpi
from services.metrics.kpis.models import Source as ValueSource
from services.metrics.observations.models import Period
from services.metrics.outbox import service as outbox

log = logging.getLogger("effekt.metrics.connectors")
ARRAY_CHUNK = 100_000  # rows per PostgreSQL INSERT … SELECT FROM unnest: seven parameters however many rows
LOOKBACK_DAYS = 3  # vendors revise the last days (late hits, processing delay): every pull takes them again
FAILING_AFTER = 2
CONNECTOR = ValueSource("connector")


@dataclass
class FeedPlan:
    feed_id: int
    kpi_id: int
    request: Request


@dataclass
class Plan:
    run_id: int
    connector_id: int
    workspace_id: int
    kind: KindSpec
    source: Source
    feeds: list[FeedPlan]


def base_url(kind: KindSpec, settings: dict[str, Any], secrets: dict[str, str], cs: ConnectorSettings) -> str:
    """The vendor's base URL: the connector's own (self-hosted) or the service setting, braces filled."""
    own = str(settings.get("base_url") or "").strip()
    if own or kind.url_setting is None:
        return own
    template = getattr(cs, kind.url_setting)
    values = {**settings, **(kind.url_values(secrets) if kind.url_values else {})}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        raise VendorError(f"the {kind.label} address {template} needs settings this connector lacks") from None


def source_for(connector_kind: str, settings: dict[str, Any], secrets: dict[str, str]) -> Source:
    """What a kind needs at run time."""
    kind = spec(connector_kind)
    cs = connector_settings()
    return Source(
        settings=dict(settings),
        secrets=secrets,
        base_url=base_url(kind, settings, secrets, cs),
        token_url=cs.google_token_url,
    )


def request_for(feed: Feed, today: date) -> Request:
    """The range a feed pulls: its backfill on the first run, the last days (whole periods) after that."""
    days = feed.backfill_days if not feed.backfilled else LOOKBACK_DAYS
    start = period_start(today - timedelta(days=days), feed.period)
    return Request(metric=feed.metric, filter=feed.filter, period=feed.period, start=start, end=today)


def scrub(message: str, secrets: dict[str, str]) -> str:
    """A message with every secret blanked: vendors sometimes echo what they were sent."""
    for value in secrets.values():
        if len(value) >= 4:
            message = message.replace(value, "[secret]")
    return message[:2000]


# --- in the database (threads) ---------------------------------------------------------------------


def claim(
    session: Session, connector_id: int, run_key: str, trigger: Trigger, now: datetime
) -> tuple[ConnectorRun, Connector] | None:
    """Insert the run row; None if this key ran already (another worker has it). A scheduled run moves the slot."""
    connector = session.get(Connector, connector_id)
    if connector is None or (trigger == Trigger.schedule and connector.state == State.paused):
        return None
    run = ConnectorRun(
        connector_id=connector_id, workspace_id=connector.workspace_id, run_key=run_key, trigger=trigger, started_at=now
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        return None
    if trigger == Trigger.schedule:
        connector.next_run_at = next_slot(connector.run_at, connector.timezone, now)
        session.add(connector)
    return run, connector


def _plan(session: Session, run: ConnectorRun, connector: Connector, now: datetime) -> Plan:
    feeds = session.exec(select(Feed).where(Feed.connector_id == connector.id).order_by(col(Feed.id))).all()
    today = today_in(connector.timezone, now)
    return Plan(
        run_id=run.id,
        connector_id=connector.id,
        workspace_id=connector.workspace_id,
        kind=spec(connector.kind),
        source=source_for(connector.kind, connector.settings, secrets_of(connector)),
        feeds=[FeedPlan(feed.id, feed.kpi_id, request_for(feed, today)) for feed in feeds],
    )


def start_run(engine: Engine, connector_id: int, run_key: str, trigger: Trigger, now: datetime) -> Plan | str | None:
    """Claim and plan in one transaction: the plan, None when claimed elsewhere, or why it cannot run."""

    def work(session: Session):
        claimed = claim(session, connector_id, run_key, trigger, now)
        if claimed is None:
            return None
        run, connector = claimed
        try:
            return _plan(session, run, connector, now)
        except (CredentialsError, VendorError) as exc:
            return f"{run.id}:{exc}"

    return in_session(engine, work)


def _writable_kpis(session: Session, workspace_id: int, kpi_ids: set[int]) -> set[int]:
    rows = session.exec(
        select(Kpi.id).where(
            Kpi.workspace_id == workspace_id, col(Kpi.id).in_(kpi_ids), ~col(Kpi.archived), col(Kpi.formula).is_(None)
        )
    ).all()
    return set(rows)


def upsert_values(session: Session, workspace_id: int, rows: list[tuple[int, Period, date, float]]) -> int:
    """Store (kpi, period, start, value) rows as source connector, replacing values of the same key."""
    if not rows:
        return 0
    now = utcnow()
    source = CONNECTOR.value
    # In key order: concurrent runs lock shared keys in the same order and cannot deadlock on PostgreSQL.
    params = [
        {
            "kpi_id": kpi_id,
            "period": period.value,
            "period_start": start,
            "value": value,
            "source": source,
            "note": None,
            "workspace_id": workspace_id,
            "created_at": now,
            "updated_at": now,
        }
        for kpi_id, period, start, value in sorted(rows, key=lambda r: (r[0], r[1].value, r[2]))
    ]
    if session.get_bind().dialect.name == "sqlite":
        _sqlite_upsert(session, params)
        return len(params)
    for chunk in range(0, len(params), ARRAY_CHUNK):
        _postgresql_upsert(session, params[chunk : chunk + ARRAY_CHUNK])
    return len(params)


POSTGRESQL_UPSERT = (
    "INSERT INTO observations (kpi_id, period, period_start, value, source, note, workspace_id, created_at, "
    "updated_at) SELECT t.k, t.p, t.d, t.v, %(source)s, NULL, %(ws)s, %(now)s, %(now)s "
    "FROM unnest(%(k)s::integer[], %(p)s::varchar[], %(d)s::date[], %(v)s::float8[]) WITH ORDINALITY "
    "AS t(k, p, d, v, n) ORDER BY t.n "
    "ON CONFLICT (kpi_id, period, period_start, source) "
    "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
)


def _postgresql_upsert(session: Session, params: list[dict[str, Any]]) -> None:
    """One statement per chunk: the rows go as four arrays that PostgreSQL unnests, in key order (ORDINALITY), so
    a two-year backfill costs one round trip, not a batch of VALUES lists the driver builds row by row."""
    first = params[0]
    session.connection().exec_driver_sql(
        POSTGRESQL_UPSERT,
        {
            "source": first["source"],
            "ws": first["workspace_id"],
            "now": first["created_at"],
            "k": [p["kpi_id"] for p in params],
            "p": [p["period"] for p in params],
            "d": [p["period_start"] for p in params],
            "v": [p["value"] for p in params],
        },
    )


SQLITE_UPSERT = (
    "INSERT INTO observations (kpi_id, period, period_start, value, source, note, workspace_id, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?) ON CONFLICT (kpi_id, period, period_start, source) "
    "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
)


def _sqlite_upsert(session: Session, params: list[dict[str, Any]]) -> None:
    """The driver's executemany with the exact text SQLAlchemy stores for dates and moments on SQLite (ISO date;
    UTC 'YYYY-MM-DD HH:MM:SS.ffffff'): a tenth of the Core path's cost per row."""
    moment = params[0]["created_at"].astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    rows = [
        (
            p["kpi_id"],
            p["period"],
            p["period_start"].isoformat(),
            p["value"],
            p["source"],
            p["workspace_id"],
            moment,
            moment,
        )
        for p in params
    ]
    session.connection().exec_driver_sql(SQLITE_UPSERT, rows)


def finish(engine: Engine, plan: Plan, results: list[dict[date, float]]) -> ConnectorRun:
    """Store every feed's values and close the run as ok, in one transaction."""

    def work(session: Session) -> ConnectorRun:
        writable = _writable_kpis(session, plan.workspace_id, {f.kpi_id for f in plan.feeds})
        rows, skipped = [], []
        for feed, values in zip(plan.feeds, results, strict=True):
            if feed.kpi_id not in writable:
                skipped.append(str(feed.kpi_id))
                continue
            rows += [(feed.kpi_id, feed.request.period, day, value) for day, value in values.items()]
        stored = upsert_values(session, plan.workspace_id, rows)
        for feed_row in session.exec(select(Feed).where(col(Feed.id).in_([f.feed_id for f in plan.feeds]))).all():
            feed_row.backfilled = True
            session.add(feed_row)
        note = f"skipped KPIs {', '.join(skipped)}: archived or derived" if skipped else None
        return _close(session, plan.run_id, RunStatus.ok, stored, note)

    return in_session(engine, work)


def fail(engine: Engine, run_id: int, message: str) -> ConnectorRun:
    """Close the run as failed, storing nothing; count it against the connector if it was scheduled."""
    return in_session(engine, lambda session: _close(session, run_id, RunStatus.failed, 0, message))


def _close(session: Session, run_id: int, status: RunStatus, stored: int, error: str | None) -> ConnectorRun:
    now = utcnow()
    run = session.get(ConnectorRun, run_id)
    run.status, run.stored, run.error, run.finished_at = status, stored, error, now
    connector = session.get(Connector, run.connector_id)
    connector.last_run_at = now
    if status == RunStatus.ok:
        connector.failures, connector.last_error = 0, None
        if connector.state == State.failing:
            connector.state = State.ok
    else:
        connector.last_error = error
        if run.trigger == Trigger.schedule:
            connector.failures += 1
            if connector.failures >= FAILING_AFTER and connector.state == State.ok:
                connector.state = State.failing
                outbox.notify(
                    session,
                    workspace_id=connector.workspace_id,
                    recipient_id=connector.owner_id,
                    kind="connector_failing",
                    key=f"connector:{connector.id}:failing:{run.id}",
                    link=f"/connectors/{connector.id}",
                    params={"connector": connector.name, "runs": str(connector.failures), "error": (error or "")[:200]},
                )
    connector.updated_at = now
    session.add_all([run, connector])
    session.flush()
    return run


# --- on the event loop -----------------------------------------------------------------------------


async def fetch_all(kind: KindSpec, source: Source, requests: list[Request]) -> list[dict[date, float]]:
    """Every request's values from the vendor, concurrently up to the vendor's cap; VendorError on the first failure."""
    limits = connector_settings().limits()
    async with make_client(limits) as client:
        vendor = Vendor(kind.label, client, limits=limits, unauthorized=kind.unauthorized)
        return list(await asyncio.gather(*(kind.fetch(vendor, source, r) for r in requests)))


async def check(kind: KindSpec, source: Source) -> str:
    """The kind's connection check: a sentence saying what answered; VendorError otherwise."""
    limits = connector_settings().limits()
    async with make_client(limits) as client:
        return await kind.check(Vendor(kind.label, client, limits=limits, unauthorized=kind.unauthorized), source)


async def pull(
    engine: Engine, connector_id: int, *, run_key: str, trigger: Trigger, now: datetime | None = None
) -> ConnectorRun | None:
    """Run the connector once for this key: the finished run, or None if the key ran (or runs) elsewhere."""
    planned = await asyncio.to_thread(start_run, engine, connector_id, run_key, trigger, now or utcnow())
    if planned is None:
        return None
    if isinstance(planned, str):
        run_id, message = planned.split(":", 1)
        return await asyncio.to_thread(fail, engine, int(run_id), message)
    try:
        results = await fetch_all(planned.kind, planned.source, [f.request for f in planned.feeds])
    except VendorError as exc:
        message = scrub(str(exc), planned.source.secrets)
        log.info("connector %s run %s failed: %s", connector_id, planned.run_id, message)
        return await asyncio.to_thread(fail, engine, planned.run_id, message)
    except Exception:
        log.exception("connector %s run %s crashed", connector_id, planned.run_id)
        return await asyncio.to_thread(fail, engine, planned.run_id, f"{planned.kind.label}: an internal error")
    run = await asyncio.to_thread(finish, engine, planned, results)
    log.info("connector %s run %s stored %s values", connector_id, run.id, run.stored)
    return run
