"""Dissatisfaction data as KPIs: built-in KPIs of source "feedback" whose monthly values come from the items.

Values are aggregated in SQL per month (received_month, a column, so the grouping is the same on SQLite and
PostgreSQL): one GROUP BY month, category and channel gives every count (the answered ones too), and one index
seek a month the median. They are written as month observations of source "feedback", so scorecard, status and
cycles read them like any value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from kit.fields import utcnow
from services.metrics.feedback.models import (
    Channel,
    FeedbackItem,
    FeedbackKind,
    FeedbackKpi,
    FeedbackSettings,
    Measure,
    Sentiment,
)
from services.metrics.kpis.models import Kpi, Source
from services.metrics.observations.service import store_month_values

FEEDBACK = Source("feedback")
Key = tuple[int, date]  # (kpi_id, month)


def _counts(session: Session, workspace_id: int, months: Collection[date] | None, now: datetime):
    """Per (month, category_id, channel): items, complaints, negatives, answered in target, with a due target, and
    answered at all (first_answered_at is set with first_answer_hours, and the covering index holds it)."""
    t = FeedbackItem
    one = sa.literal(1)
    late_or_answered = sa.or_(col(t.first_answered_at).is_not(None), col(t.due_at) < now)
    query = sa.select(
        col(t.received_month),
        col(t.category_id),
        col(t.channel),
        sa.func.count(),
        sa.func.sum(sa.case((col(t.kind) == FeedbackKind.complaint, one), else_=0)),
        sa.func.sum(sa.case((col(t.sentiment) == Sentiment.negative, one), else_=0)),
        sa.func.sum(sa.case((col(t.within_target).is_(True), one), else_=0)),
        sa.func.sum(sa.case((sa.and_(col(t.due_at).is_not(None), late_or_answered), one), else_=0)),
        sa.func.count(col(t.first_answered_at)),
    ).where(col(t.workspace_id) == workspace_id)
    if months is not None:
        query = query.where(col(t.received_month).in_(list(months)))
    query = query.group_by(col(t.received_month), col(t.category_id), col(t.channel))
    return session.execute(query).all()


def _medians(session: Session, workspace_id: int, answered: dict[date, int]) -> dict[date, float]:
    """Median first-answer hours per month, from the answered count per month the one GROUP BY gave: per month
    one seek to the middle of the index (workspace_id, received_month, first_answer_hours), so nothing is sorted
    (SQLite and PostgreSQL)."""
    t = FeedbackItem
    hours = col(t.first_answer_hours)
    out = {}
    for month, n in sorted(answered.items()):
        if not n:
            continue
        middle = (
            session.execute(
                sa.select(hours)
                .where(col(t.workspace_id) == workspace_id, col(t.received_month) == month, hours.is_not(None))
                .order_by(hours)
                .offset((n - 1) // 2)
                .limit(2 - n % 2)
            )
            .scalars()
            .all()
        )
        out[month] = sum(middle) / len(middle)
    return out


def _share(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 4) if whole else None


def compute(
    session: Session,
    workspace_id: int,
    specs: Collection[FeedbackKpi],
    months: Collection[date] | None,
    *,
    multiplier: float,
    now: datetime | None = None,
) -> dict[Key, float | None]:
    """{(kpi_id, month): value} of every spec for the months given (None: every month with items)."""
    rows = _counts(session, workspace_id, months, now or utcnow())
    totals: dict[tuple, list[float]] = defaultdict(lambda: [0.0] * 5)
    answered: dict[date, int] = defaultdict(int)
    for month, category_id, channel, *sums in rows:
        answered[month] += sums.pop() or 0
        for key in ((month,), (month, "category", category_id), (month, "channel", channel)):
            totals[key] = [a + (b or 0) for a, b in zip(totals[key], sums, strict=True)]
    wanted = set(months) if months is not None else {row[0] for row in rows}
    medians = (
        _medians(session, workspace_id, answered)
        if any(s.measure == Measure.median_first_answer for s in specs)
        else {}
    )
    out: dict[Key, float | None] = {}
    for spec in specs:
        for month in wanted:
            out[(spec.kpi_id, month)] = _value(spec, month, totals, medians, multiplier)
    return out


def _value(spec: FeedbackKpi, month: date, totals: dict, medians: dict, multiplier: float) -> float | None:
    if spec.category_id is not None:
        items, complaints, negative, within, due = totals.get((month, "category", spec.category_id), [0.0] * 5)
    elif spec.channel is not None:
        items, complaints, negative, within, due = totals.get((month, "channel", Channel(spec.channel)), [0.0] * 5)
    else:
        items, complaints, negative, within, due = totals.get((month,), [0.0] * 5)
    match spec.measure:
        case Measure.complaints:
            return complaints
        case Measure.dissatisfied:
            return complaints * multiplier
        case Measure.negative_share:
            return _share(negative, items)
        case Measure.within_target:
            return _share(within, due)
        case _:
            return medians.get(month)


def specs_of(session: Session, workspace_id: int) -> list[FeedbackKpi]:
    """The workspace's feedback KPIs that are not archived."""
    query = (
        select(FeedbackKpi)
        .join(Kpi, col(Kpi.id) == col(FeedbackKpi.kpi_id))
        .where(FeedbackKpi.workspace_id == workspace_id, col(Kpi.archived).is_(False))
    )
    return list(session.exec(query).all())


def refresh(*, session: Session, workspace_id: int, months: Collection[date] | None) -> int:
    """Re-compute the feedback KPIs for the months (None: all) and store them as observations; how many."""
    specs = specs_of(session, workspace_id)
    if not specs:
        return 0
    row = session.get(FeedbackSettings, workspace_id)
    values = compute(session, workspace_id, specs, months, multiplier=row.multiplier if row else 20.0)
    _store(session, workspace_id, values)
    return len(values)


def _store(session: Session, workspace_id: int, values: dict[Key, float | None]) -> None:
    """Upsert the values as month observations of source feedback; a value that became None is removed."""
    store_month_values(session, workspace_id, values, FEEDBACK)


def report(session: Session, workspace_id: int, start: date, end: date) -> list[dict]:
    """Items and complaints per month, category, channel and surface between two months (one GROUP BY)."""
    t = FeedbackItem
    keys = (col(t.received_month), col(t.category_id), col(t.channel), col(t.surface_id))
    complaints = sa.func.sum(sa.case((col(t.kind) == FeedbackKind.complaint, sa.literal(1)), else_=0))
    query = (
        sa.select(*keys, sa.func.count(), complaints)
        .where(col(t.workspace_id) == workspace_id, col(t.received_month) >= start, col(t.received_month) <= end)
        .group_by(*keys)
        .order_by(*keys)
    )
    return [
        {"month": m, "category_id": c, "channel": ch, "surface_id": s, "items": n, "complaints": int(k or 0)}
        for m, c, ch, s, n, k in session.execute(query)
    ]
