"""Rules of calendar feeds: tokens (stored hashed, one live per person, workspace and kind) and sequences.

Never commits, except `read_feed`, whose sequence bumps are the feed read's own small write."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from services.tasks.calendars.models import CalendarFeed, CalendarSequence, FeedKind, FeedPublic

TOKEN_PREFIX = "cal_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _live(session: Session, workspace_id: int, user_id: int, kind: FeedKind) -> CalendarFeed | None:
    query = select(CalendarFeed).where(
        CalendarFeed.workspace_id == workspace_id,
        CalendarFeed.user_id == user_id,
        CalendarFeed.kind == kind,
        col(CalendarFeed.revoked_at).is_(None),
    )
    return session.exec(query).first()


def list_feeds(*, session: Session, workspace_id: int, user_id: int) -> list[FeedPublic]:
    found = []
    for kind in FeedKind:
        feed = _live(session, workspace_id, user_id, kind)
        found.append(
            FeedPublic(
                kind=kind,
                active=feed is not None,
                created_at=feed.created_at if feed else None,
                last_read_at=feed.last_read_at if feed else None,
            )
        )
    return found


def revoke(*, session: Session, workspace_id: int, user_id: int, kind: FeedKind, now: datetime) -> bool:
    """End the live token of this kind; whether there was one."""
    feed = _live(session, workspace_id, user_id, kind)
    if feed is None:
        return False
    feed.revoked_at = now
    session.add(feed)
    session.flush()
    return True


def issue(
    *, session: Session, workspace_id: int, user_id: int, kind: FeedKind, now: datetime
) -> tuple[str, CalendarFeed]:
    """A new token (the old one, if any, is revoked): the token, to show once, and its row."""
    revoke(session=session, workspace_id=workspace_id, user_id=user_id, kind=kind, now=now)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed(
        workspace_id=workspace_id, user_id=user_id, kind=kind, token_hash=hash_token(token), created_at=now
    )
    session.add(feed)
    session.flush()
    return token, feed


def feed_of(session: Session, token: str) -> CalendarFeed | None:
    """The live feed the token opens, or None (unknown, malformed or revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token))).first()
    return feed if feed is not None and feed.revoked_at is None else None


def sequences(session: Session, workspace_id: int, fingerprints: dict[str, str], now: datetime) -> dict[str, int]:
    """SEQUENCE of each item: 0 when first seen, one more on every change of its fingerprint. Safe to run twice
    at once (insert-if-absent, bump only where the fingerprint differs)."""
    if not fingerprints:
        return {}
    table = CalendarSequence.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = {
        row.item: row
        for row in session.exec(
            select(CalendarSequence).where(
                CalendarSequence.workspace_id == workspace_id, col(CalendarSequence.item).in_(list(fingerprints))
            )
        ).all()
    }
    for item, fingerprint in fingerprints.items():
        row = rows.get(item)
        if row is None:
            insert = dialect.insert(table).values(
                workspace_id=workspace_id, item=item, fingerprint=fingerprint, sequence=0, updated_at=now
            )
            session.execute(insert.on_conflict_do_nothing(index_elements=["workspace_id", "item"]))
        elif row.fingerprint != fingerprint:
            session.execute(
                update(table)
                .where(table.c.id == row.id, table.c.fingerprint != fingerprint)
                .values(sequence=table.c.sequence + 1, fingerprint=fingerprint, updated_at=now)
            )
    session.flush()
    session.expire_all()
    found = session.exec(
        select(CalendarSequence.item, CalendarSequence.sequence).where(
            CalendarSequence.workspace_id == workspace_id, col(CalendarSequence.item).in_(list(fingerprints))
        )
    ).all()
    return dict(found)
