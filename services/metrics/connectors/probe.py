"""Before saving: test a connection, and preview the last 7 days of the feeds, storing nothing.

Called from sync routes (the thread pool), so each call runs its own short event loop for the vendor's answers
and the server's loop never waits on a vendor."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import Session

from kit.errors import Invalid
from kit.turns import waiting
from services.metrics.connectors import runner, service
from services.metrics.connectors.crypto import CredentialsError
from services.metrics.connectors.http import VendorError
from services.metrics.connectors.kinds import spec
from services.metrics.connectors.kinds.base import Request, Source, period_start
from services.metrics.connectors.models import Connector, Point, Preview, PreviewSeries, Probe
from services.metrics.connectors.schedule import today_in

PREVIEW_DAYS = 7


def _source(session: Session, workspace_id: int, connector_id: int | None, data: Probe) -> tuple[str, Source]:
    """The kind and what it needs: the probe's settings and credentials over the saved connector's, if any."""
    stored: Connector | None = None
    if connector_id is not None:
        stored = service.get_connector(session=session, workspace_id=workspace_id, connector_id=connector_id)
    kind = stored.kind if stored else data.kind
    if kind is None:
        raise Invalid.field("kind", "is required for a connector not yet saved")
    kind_spec = spec(kind)
    settings = service.clean_settings(kind_spec, {**(stored.settings if stored else {}), **data.settings})
    try:
        opened = service.secrets_of(stored) if stored else {}
    except CredentialsError as exc:
        raise Invalid.field("credentials", str(exc)) from None
    secrets = service.merge_credentials(kind_spec, opened, data.credentials, creating=stored is None)
    try:
        return str(kind), runner.source_for(kind, settings, secrets)
    except VendorError as exc:
        raise Invalid.field("settings", str(exc)) from None


def test_connection(*, session: Session, workspace_id: int, connector_id: int | None, data: Probe) -> Preview:
    """Whether the vendor answers with these settings and credentials, in words."""
    kind, source = _source(session, workspace_id, connector_id, data)
    kind_spec = spec(kind)
    try:
        with waiting():  # the vendor's answer may take seconds: other requests run meanwhile (kit.turns)
            message = asyncio.run(runner.check(kind_spec, source))
    except VendorError as exc:
        return Preview(ok=False, message=runner.scrub(str(exc), source.secrets))
    return Preview(ok=True, message=message)


def preview(*, session: Session, workspace_id: int, connector_id: int | None, data: Probe, timezone: str) -> Preview:
    """The last 7 days of each feed (the probe's, else the saved connector's), as the vendor answers them."""
    kind, source = _source(session, workspace_id, connector_id, data)
    kind_spec = spec(kind)
    feeds = [(f.metric, f.filter, f.period) for f in data.feeds]
    if not feeds and connector_id is not None:
        saved = service.list_feeds(session=session, workspace_id=workspace_id, connector_id=connector_id)
        feeds = [(f.metric, f.filter, f.period) for f in saved]
    if not feeds:
        raise Invalid.field("feeds", "name at least one metric to preview")
    for index, (metric, filter_, _) in enumerate(feeds):
        try:
            service.check_metric(kind_spec, metric, filter_)
        except Invalid as exc:
            raise Invalid.field(f"feeds.{index}.{exc.errors[0]['field']}", exc.errors[0]["detail"]) from None
    today = today_in(timezone)
    requests = [
        Request(metric, filter_, period, period_start(today - timedelta(days=PREVIEW_DAYS - 1), period), today)
        for metric, filter_, period in feeds
    ]
    try:
        with waiting():
            results = asyncio.run(runner.fetch_all(kind_spec, source, requests))
    except VendorError as exc:
        return Preview(ok=False, message=runner.scrub(str(exc), source.secrets))
    series = [
        PreviewSeries(
            metric=r.metric,
            filter=r.filter,
            period=r.period,
            points=[Point(period_start=day, value=value) for day, value in sorted(values.items())],
        )
        for r, values in zip(requests, results, strict=True)
    ]
    count = sum(len(s.points) for s in series)
    return Preview(
        ok=True, message=f"{kind_spec.label} answered {count} values for the last {PREVIEW_DAYS} days.", series=series
    )
