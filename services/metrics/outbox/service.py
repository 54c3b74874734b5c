"""Writing outbox rows (never commits: a row is part of the change it tells of) and reading the due ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from kit.fields import utcnow
from services.metrics.outbox.models import NotificationOutbox

KINDS = ("cycle_opened", "kpi_stale", "import_finished", "import_failed", "connector_failing")


def notify(
    bind: Session | Connection,
    *,
    workspace_id: int,
    recipient_id: int | None,
    kind: str,
    key: str,
    link: str | None = None,
    params: dict[str, Any] | None = None,
) -> None:
    """Queue one notification for `recipient_id` (nobody: nothing; the same key for them again: nothing)."""
    if recipient_id is None:
        return
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = utcnow()
    row = {
        "workspace_id": workspace_id,
        "recipient_id": recipient_id,
        "kind": kind,
        "key": key[:160],
        "link": link,
        "params": params or {},
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
    }
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(NotificationOutbox.__table__).values(**row)
    bind.execute(stmt.on_conflict_do_nothing(index_elements=["workspace_id", "recipient_id", "key"]))


def due(session: Session, now: datetime, limit: int) -> list[NotificationOutbox]:
    return list(
        session.exec(
            select(NotificationOutbox)
            .where(col(NotificationOutbox.pushed_at).is_(None), col(NotificationOutbox.next_attempt_at) <= now)
            .order_by(col(NotificationOutbox.id))
            .limit(limit)
        ).all()
    )


def pushed(session: Session, ids: list[int], now: datetime) -> None:
    if ids:
        session.exec(
            update(NotificationOutbox).where(col(NotificationOutbox.id).in_(ids)).values(pushed_at=now, error=None)
        )


def failed(session: Session, row: NotificationOutbox, now: datetime, error: str) -> None:
    """Again later: 15 s, 30 s, 1 min … up to an hour between tries, for as long as it takes."""
    row.attempts += 1
    row.next_attempt_at = now + timedelta(seconds=min(3600, 15 * 2 ** (row.attempts - 1)))
    row.error = error[:500]
    session.add(row)


def tell_import_starter(conn: Connection, table: Table, import_id: int, attempt: int, status: str) -> None:
    """ "Your import is finished" (or failed) to who started it, in the transaction that ends it."""
    row = conn.execute(
        select(table.c.workspace_id, table.c.user_id, table.c.filename).where(table.c.id == import_id)
    ).first()
    if row is None:
        return
    notify(
        conn,
        workspace_id=row.workspace_id,
        recipient_id=row.user_id,
        kind="import_finished" if status == "done" else "import_failed",
        key=f"import:{import_id}:{attempt}:{status}",
        link=f"/imports/{import_id}",
        params={"file": row.filename},
    )


def status(session: Session, workspace_id: int, now: datetime) -> dict[str, Any]:
    """How the workspace's outbox is doing: rows waiting, the oldest of them, and the last error."""
    waiting = select(NotificationOutbox).where(
        NotificationOutbox.workspace_id == workspace_id, col(NotificationOutbox.pushed_at).is_(None)
    )
    rows = session.exec(waiting.order_by(col(NotificationOutbox.id))).all()
    failing = [r for r in rows if r.error]
    return {
        "waiting": len(rows),
        "oldest_waiting_since": rows[0].created_at if rows else None,
        "last_error": failing[-1].error if failing else None,
        "checked_at": now,
    }
