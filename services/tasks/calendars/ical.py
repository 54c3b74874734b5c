"""The feeds in RFC 5545 (built with the icalendar package): one all-day VEVENT per item.

Calendar apps (Google, Outlook, iOS) show VEVENTs and ignore VTODO, so a deadline is an all-day event on its
date. The UID is stable per item, SEQUENCE rises with every change (service.sequences), URL links back, and the
calendar carries its name (X-WR-CALNAME) and how often to refresh (REFRESH-INTERVAL, PT1H)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vDuration
from sqlmodel import Session, col, select

from services.tasks.calendars import service
from services.tasks.calendars.config import settings
from services.tasks.calendars.models import CalendarFeed, FeedKind
from services.tasks.runs.models import RunState, WorkflowRun
from services.tasks.tasks.models import Task, TaskState

REFRESH = timedelta(hours=1)
NAMES = {FeedKind.personal: "Effekt: my deadlines", FeedKind.workspace: "Effekt: workflow dates"}


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def _calendar(kind: FeedKind) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Effekt//Calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", NAMES[kind])
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    return cal


def _event(
    uid: str, day: date, summary: str, url: str, sequence: int, now: datetime, cancelled: bool, last: date | None = None
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", day)
    event.add("dtend", (last or day) + timedelta(days=1))  # DTEND of an all-day event is the day after
    event.add("summary", summary)
    event.add("url", url)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a deadline does not make the day busy
    return event


def _domain() -> str:
    return urlsplit(settings().public_url).hostname or "effekt"


def personal(session: Session, feed: CalendarFeed, now: datetime) -> bytes:
    """The deadlines of the feed's person in its workspace: their steps in runs that are not cancelled."""
    since = now.date() - timedelta(days=settings().calendar_past_days)
    rows = session.exec(
        select(Task, WorkflowRun.name)
        .join(WorkflowRun, col(WorkflowRun.id) == col(Task.run_id))
        .where(
            Task.workspace_id == feed.workspace_id,
            Task.owner_id == feed.user_id,
            WorkflowRun.state != RunState.cancelled,
            col(Task.due_on) >= since,
        )
        .order_by(col(Task.due_on), col(Task.id))
    ).all()
    prints = {f"task:{t.id}": _fingerprint(t.due_on, t.title, t.state.value, run) for t, run in rows}
    seq = service.sequences(session, feed.workspace_id, prints, now)
    cal, base, domain = _calendar(FeedKind.personal), settings().public_url.rstrip("/"), _domain()
    for task, run_name in rows:
        mark = "✓ " if task.state == TaskState.done else ""
        cal.add_component(
            _event(
                f"task-{task.id}@{domain}", task.due_on, f"{mark}{task.title} ({run_name})",
                f"{base}/runs/{task.run_id}#task-{task.id}", seq[f"task:{task.id}"], now,
                cancelled=task.state == TaskState.skipped,
            )
        )  # fmt: skip
    return cal.to_ical()


def workspace(session: Session, feed: CalendarFeed, now: datetime, cycles: list[dict[str, Any]]) -> bytes:
    """The anchor dates (publish dates and the others a template names) of the workspace's runs, and its
    measurement cycles (from metrics), each cycle one all-day event over its period."""
    since = now.date() - timedelta(days=settings().calendar_past_days)
    runs = session.exec(
        select(WorkflowRun)
        .where(WorkflowRun.workspace_id == feed.workspace_id, WorkflowRun.state != RunState.cancelled)
        .order_by(col(WorkflowRun.id))
    ).all()
    items: list[tuple[str, WorkflowRun, str, date]] = []
    for run in runs:
        for key, value in sorted((run.anchors or {}).items()):
            try:
                day = date.fromisoformat(str(value))
            except ValueError:
                continue
            if day >= since:
                items.append((f"run:{run.id}:{key}", run, key, day))
    periods = _cycles(cycles, since)
    prints = {item: _fingerprint(day, run.name, key, run.state.value) for item, run, key, day in items}
    prints |= {item: _fingerprint(start, end, name) for item, _, start, end, name in periods}
    seq = service.sequences(session, feed.workspace_id, prints, now)
    cal, base, domain = _calendar(FeedKind.workspace), settings().public_url.rstrip("/"), _domain()
    for item, run, key, day in sorted(items, key=lambda i: (i[3], i[0])):
        summary, url = f"{run.name}: {key.replace('_', ' ')}", f"{base}/runs/{run.id}"
        cal.add_component(_event(f"run-{run.id}-{key}@{domain}", day, summary, url, seq[item], now, False))
    for item, cycle_id, start, end, name in periods:
        url = f"{base}/cycles/{cycle_id}"
        cal.add_component(_event(f"cycle-{cycle_id}@{domain}", start, name, url, seq[item], now, False, last=end))
    return cal.to_ical()


def _cycles(cycles: list[dict[str, Any]], since: date) -> list[tuple[str, int, date, date, str]]:
    """(item, id, first day, last day, summary) of each cycle metrics listed whose period ends on or after `since`."""
    found = []
    for cycle in cycles:
        try:
            cycle_id = int(cycle["id"])
            start, end = date.fromisoformat(cycle["period_start"]), date.fromisoformat(cycle["period_end"])
        except (KeyError, TypeError, ValueError):
            continue
        if end >= since:
            name = f"Measurement cycle: {cycle.get('surface_name') or ''}".strip()
            found.append((f"cycle:{cycle_id}", cycle_id, start, end, name))
    return found


def render(session: Session, feed: CalendarFeed, now: datetime, cycles: list[dict[str, Any]] | None = None) -> bytes:
    feed.last_read_at = now
    session.add(feed)
    if feed.kind == FeedKind.personal:
        return personal(session, feed, now)
    return workspace(session, feed, now, cycles or [])
