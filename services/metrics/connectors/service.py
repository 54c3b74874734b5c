"""Business rules of connectors and their feeds: settings checked against the kind, credentials sealed, scoping."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kit.db import save
from kit.errors import Conflict, Invalid, NotFound
from kit.fields import utcnow
from kit.outbound import OutboundRefused, check_url_blocking
from kit.query import get_scoped, order_by, select_page
from services.metrics.connectors.crypto import key_ring
from services.metrics.connectors.kinds import spec
from services.metrics.connectors.kinds.base import KindSpec
from services.metrics.connectors.models import (
    Connector,
    ConnectorCreate,
    ConnectorPublic,
    ConnectorRun,
    ConnectorUpdate,
    Feed,
    FeedCreate,
    FeedPublic,
    FeedUpdate,
    Kind,
    State,
)
from services.metrics.connectors.schedule import next_slot
from services.metrics.kpis.models import Kpi
from services.metrics.kpis.models import Source as ValueSource

CONNECTOR_SORTS = {"name", "kind", "state", "created_at", "next_run_at", "last_run_at"}
MAX_SETTING = 2000


def to_public(connector: Connector) -> ConnectorPublic:
    """The public view: credentials only by name."""
    return ConnectorPublic.model_validate(connector)


def feed_public(feed: Feed) -> FeedPublic:
    return FeedPublic.model_validate(feed)


def clean_settings(kind_spec: KindSpec, raw: dict[str, Any]) -> dict[str, str]:
    """The kind's settings as stripped strings: unknown names, missing required ones and bad URLs are 422s."""
    known = {f.name: f for f in kind_spec.settings}
    out: dict[str, str] = {}
    for name, value in raw.items():
        if name not in known:
            raise Invalid.field(f"settings.{name}", f"{kind_spec.label} has no such setting")
        if value is None:
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise Invalid.field(f"settings.{name}", "must be text")
        text = str(value).strip()
        if len(text) > MAX_SETTING or "\x00" in text:
            raise Invalid.field(f"settings.{name}", f"must be at most {MAX_SETTING} characters, without NUL")
        if text:
            out[name] = text
    for field in kind_spec.settings:
        if field.required and field.name not in out:
            raise Invalid.field(f"settings.{field.name}", f"{field.label} is required")
        if field.name in ("base_url", "url") and field.name in out:
            _check_url(f"settings.{field.name}", out[field.name])
        if field.pattern and field.name in out and not re.fullmatch(field.pattern, out[field.name]):
            raise Invalid.field(f"settings.{field.name}", f"must look like {field.placeholder or field.pattern}")
    return out


def _check_url(field: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid.field(field, "must be an http(s) address such as https://example.com")
    try:
        check_url_blocking(url)  # again before every request: the name may resolve elsewhere by then
    except OutboundRefused as exc:
        raise Invalid.field(field, str(exc)) from None


def merge_credentials(
    kind_spec: KindSpec, stored: dict[str, str], sent: dict[str, SecretStr], *, creating: bool
) -> dict[str, str]:
    """Stored secrets with the sent ones over them (an empty one removes it); the kind's required ones present."""
    known = {f.name for f in kind_spec.credentials}
    merged = dict(stored)
    for name, secret in sent.items():
        if name not in known:
            raise Invalid.field(f"credentials.{name}", f"{kind_spec.label} has no such credential")
        value = secret.get_secret_value().strip()
        if len(value) > 20_000:
            raise Invalid.field(f"credentials.{name}", "is too long")
        if value:
            merged[name] = value
        else:
            merged.pop(name, None)
    for field in kind_spec.credentials:
        if field.required and field.name not in merged:
            verb = "is required" if creating else "cannot be removed"
            raise Invalid.field(f"credentials.{field.name}", f"{field.label} {verb}")
    return merged


def secrets_of(connector: Connector) -> dict[str, str]:
    """The opened credentials (only the runner and the probe use them)."""
    if not connector.credentials_encrypted:
        return {}
    return key_ring().open(connector.credentials_encrypted, workspace_id=connector.workspace_id)


def _seal(connector: Connector, secrets: dict[str, str]) -> None:
    connector.credentials_encrypted = key_ring().seal(secrets, workspace_id=connector.workspace_id) if secrets else None
    connector.credentials_set = sorted(secrets)


def create_connector(
    *,
    session: Session,
    workspace_id: int,
    user_id: int,
    timezone: str,
    data: ConnectorCreate,
    now: datetime | None = None,
) -> Connector:
    """A new connector of the workspace, its first run at the next slot."""
    kind_spec = spec(data.kind)
    connector = Connector(
        name=data.name,
        kind=data.kind,
        settings=clean_settings(kind_spec, data.settings),
        run_at=data.run_at,
        owner_id=data.owner_id or user_id,
        workspace_id=workspace_id,
        timezone=timezone,
        next_run_at=next_slot(data.run_at, timezone, now or utcnow()),
    )
    _seal(connector, merge_credentials(kind_spec, {}, data.credentials, creating=True))
    session.add(connector)
    session.flush()
    return connector


def get_connector(*, session: Session, workspace_id: int, connector_id: int) -> Connector:
    """The connector, if it belongs to the workspace."""
    return get_scoped(session, Connector, workspace_id, connector_id, "connector")


def list_connectors(
    *,
    session: Session,
    workspace_id: int,
    kind: Kind | None = None,
    state: State | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Connector], int]:
    """One page of the workspace's connectors by name."""
    where = [Connector.workspace_id == workspace_id]
    if kind is not None:
        where.append(Connector.kind == kind)
    if state is not None:
        where.append(Connector.state == state)
    order = order_by(Connector, sort, CONNECTOR_SORTS, [col(Connector.name)])
    return select_page(session, Connector, where, order, limit=limit, offset=offset)


def update_connector(
    *, session: Session, workspace_id: int, connector_id: int, data: ConnectorUpdate, now: datetime | None = None
) -> Connector:
    """Change settings, schedule, owner, pause, or replace credentials (only the names sent)."""
    connector = get_connector(session=session, workspace_id=workspace_id, connector_id=connector_id)
    kind_spec = spec(connector.kind)
    changes = data.model_dump(exclude_unset=True, exclude={"credentials", "paused"})
    if "settings" in changes:
        changes["settings"] = clean_settings(kind_spec, {**connector.settings, **changes["settings"]})
    if data.credentials is not None:
        _seal(connector, merge_credentials(kind_spec, secrets_of(connector), data.credentials, creating=False))
    if data.paused is True:
        changes["state"] = State.paused
    elif data.paused is False and connector.state == State.paused:
        changes.update(state=State.ok, failures=0)
    if "run_at" in changes or data.paused is False:
        changes["next_run_at"] = next_slot(changes.get("run_at", connector.run_at), connector.timezone, now or utcnow())
    return save(session, connector, changes)


def delete_connector(*, session: Session, workspace_id: int, connector_id: int) -> None:
    """Remove a connector with its feeds and runs; the values it stored stay."""
    connector = get_connector(session=session, workspace_id=workspace_id, connector_id=connector_id)
    for model in (Feed, ConnectorRun):
        for row in session.exec(select(model).where(model.connector_id == connector.id)).all():
            session.delete(row)
    session.flush()
    session.delete(connector)
    session.flush()


# --- feeds -----------------------------------------------------------------------------------------


def _check_kpi(session: Session, workspace_id: int, kpi_id: int) -> Kpi:
    kpi = session.get(Kpi, kpi_id)
    if kpi is None or kpi.workspace_id != workspace_id:
        raise Invalid.field("kpi_id", f"no KPI {kpi_id} in this workspace")
    if kpi.archived:
        raise Invalid.field("kpi_id", f"KPI {kpi_id} is archived; restore it first")
    if kpi.formula is not None:
        raise Invalid.field("kpi_id", "derived KPI: values come from its formula")
    return kpi


def check_metric(kind_spec: KindSpec, metric: str, filter_: str | None) -> None:
    found = kind_spec.metric(metric)
    if found is None:
        offered = ", ".join(m.key for m in kind_spec.metrics)
        raise Invalid.field("metric", f"{kind_spec.label} offers {offered}")
    if found.filter_required and not (filter_ or "").strip():
        raise Invalid.field("filter", f"{found.label} needs: {found.filter_label}")


def _flush_unique(session: Session, feed: Feed) -> Feed:
    try:
        with session.begin_nested():
            session.add(feed)
            session.flush()
    except IntegrityError:
        raise Conflict("This connector already feeds that KPI for that period.") from None
    return feed


def create_feed(*, session: Session, workspace_id: int, connector_id: int, data: FeedCreate) -> Feed:
    """A feed of the connector into one of the workspace's KPIs."""
    connector = get_connector(session=session, workspace_id=workspace_id, connector_id=connector_id)
    check_metric(spec(connector.kind), data.metric, data.filter)
    kpi = _check_kpi(session, workspace_id, data.kpi_id)
    if kpi.source != ValueSource("connector"):  # the KPI says where its values come from
        kpi.source = ValueSource("connector")
        session.add(kpi)
    values = {**data.model_dump(), "filter": (data.filter or "").strip() or None}
    feed = Feed(**values, connector_id=connector.id, workspace_id=workspace_id)
    return _flush_unique(session, feed)


def list_feeds(*, session: Session, workspace_id: int, connector_id: int) -> list[Feed]:
    """The connector's feeds, oldest first."""
    connector = get_connector(session=session, workspace_id=workspace_id, connector_id=connector_id)
    return list(session.exec(select(Feed).where(Feed.connector_id == connector.id).order_by(col(Feed.id))).all())


def get_feed(*, session: Session, workspace_id: int, connector_id: int, feed_id: int) -> Feed:
    """The feed, if it is the connector's and the workspace's."""
    connector = get_connector(session=session, workspace_id=workspace_id, connector_id=connector_id)
    feed = get_scoped(session, Feed, workspace_id, feed_id, "feed")
    if feed.connector_id != connector.id:
        raise NotFound(f"No feed {feed_id} in this connector.")
    return feed


def update_feed(*, session: Session, workspace_id: int, connector_id: int, feed_id: int, data: FeedUpdate) -> Feed:
    """Change what a feed pulls or where it goes; a changed metric, filter or period backfills again."""
    feed = get_feed(session=session, workspace_id=workspace_id, connector_id=connector_id, feed_id=feed_id)
    changes = data.model_dump(exclude_unset=True)
    if "filter" in changes:
        changes["filter"] = (changes["filter"] or "").strip() or None
    connector = session.get(Connector, feed.connector_id)
    check_metric(spec(connector.kind), changes.get("metric", feed.metric), changes.get("filter", feed.filter))
    if "kpi_id" in changes:
        _check_kpi(session, workspace_id, changes["kpi_id"])
    if {"metric", "filter", "period", "kpi_id"} & set(changes):
        changes["backfilled"] = False
    feed.sqlmodel_update(changes)
    feed.updated_at = utcnow()
    return _flush_unique(session, feed)


def delete_feed(*, session: Session, workspace_id: int, connector_id: int, feed_id: int) -> None:
    """Remove a feed; the values it stored stay."""
    session.delete(get_feed(session=session, workspace_id=workspace_id, connector_id=connector_id, feed_id=feed_id))
    session.flush()


def failing_kpis(*, session: Session, workspace_id: int, kpi_ids: list[int]) -> set[int]:
    """The KPIs among these that a failing connector feeds (the scorecard marks them)."""
    if not kpi_ids:
        return set()
    rows = session.exec(
        select(Feed.kpi_id)
        .join(Connector, col(Connector.id) == col(Feed.connector_id))
        .where(Feed.workspace_id == workspace_id, Connector.state == State.failing, col(Feed.kpi_id).in_(kpi_ids))
    ).all()
    return set(rows)


def list_runs(
    *, session: Session, workspace_id: int, connector_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[ConnectorRun], int]:
    """The connector's runs, newest first."""
    connector = get_connector(session=session, workspace_id=workspace_id, connector_id=connector_id)
    where = [ConnectorRun.connector_id == connector.id]
    order = [col(ConnectorRun.started_at).desc(), col(ConnectorRun.id).desc()]
    return select_page(session, ConnectorRun, where, order, limit=limit, offset=offset)


def rotate_credentials(*, session: Session, batch: int = 500) -> int:
    """Re-encrypt every connector's credentials that an old key of the ring sealed; how many were."""
    ring = key_ring()
    done = 0
    rows = session.exec(select(Connector).where(col(Connector.credentials_encrypted).is_not(None))).all()
    for connector in rows:
        if ring.is_current(connector.credentials_encrypted):
            continue
        _seal(connector, ring.open(connector.credentials_encrypted, workspace_id=connector.workspace_id))
        session.add(connector)
        done += 1
        if done % batch == 0:
            session.flush()
    session.flush()
    return done
