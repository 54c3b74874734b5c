"""The loop closed: the evidence metrics computes for a done action, the other actions that muddle it, the
person's evaluation, and the team's track record per kind of change (offered as the confidence of new RICE scores)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.tasks.actions import cadence
from services.tasks.actions.models import Action, ActionStatus, ChangeKind
from services.tasks.actions.owners import Owners
from services.tasks.periods.models import Period

DONE = (ActionStatus.done, ActionStatus.evaluated)
NOT_JUDGED = "no KPI, direction or done date: nothing to judge"


def periods_of(action: Action) -> int:
    return action.evaluation_periods or cadence.default_window(action.surface_cadence, action.kpi_grain)


def probe(action: Action) -> str | None:
    """How metrics is asked about one action: "ref:kpi:done_on:periods:direction:size:unit"."""
    if action.kpi_id is None or action.done_on is None or action.expected_direction is None:
        return None
    size = "" if action.expected_size is None else repr(float(action.expected_size))
    return ":".join(
        str(p)
        for p in (
            action.id,
            action.kpi_id,
            action.done_on.isoformat(),
            periods_of(action),
            action.expected_direction.value,
            size,
            action.expected_unit.value,
        )
    )


def span(action: Action, ends_on: date | None) -> tuple[date, date] | None:
    """The window in which an action (done or not) is expected to move its KPI."""
    completes = action.done_on or action.due_on or ends_on
    if completes is None:
        return None
    grain = action.kpi_grain or "month"
    first = cadence.add_periods(cadence.period_start(completes, grain), grain, 1)
    return first, cadence.window_end(completes, grain, periods_of(action))


def confounders(session: Session, actions: list[Action]) -> dict[int, list[dict[str, Any]]]:
    """For each action, the other live actions on its KPI whose windows overlap its own (one query in all)."""
    kpis = {a.kpi_id for a in actions if a.kpi_id is not None}
    if not kpis:
        return {a.id: [] for a in actions}
    rows = session.exec(
        select(Action, Period.ends_on)
        .outerjoin(Period, col(Period.id) == col(Action.period_id))
        .where(
            Action.workspace_id == actions[0].workspace_id,
            col(Action.kpi_id).in_(kpis),
            Action.status != ActionStatus.dropped,
        )
    ).all()
    spans = {a.id: (a, span(a, ends)) for a, ends in rows}
    out: dict[int, list[dict[str, Any]]] = {}
    for action in actions:
        mine = spans.get(action.id, (action, span(action, None)))[1]
        out[action.id] = [
            {"id": other.id, "title": other.title, "status": other.status.value, "window": list(theirs)}
            for other, theirs in spans.values()
            if other.id != action.id
            and other.kpi_id == action.kpi_id
            and mine is not None
            and theirs is not None
            and theirs[0] <= mine[1]
            and mine[0] <= theirs[1]
        ]
    return out


def evidence(*, session: Session, actions: list[Action], owners: Owners) -> dict[int, dict[str, Any]]:
    """metrics' evidence for each done action (ref → its answer), with the confounders added."""
    done = [a for a in actions if a.status in DONE]
    asked = {a.id: probe(a) for a in done}
    answers = owners.effects([p for p in asked.values() if p]) if any(asked.values()) else []
    by_ref = {int(a["ref"]): a for a in answers if str(a.get("ref", "")).isdigit()}
    mixed = confounders(session, done)
    out: dict[int, dict[str, Any]] = {}
    for action in done:
        found = by_ref.get(action.id) or {"verdict": None, "reason": NOT_JUDGED}
        out[action.id] = {**found, "confounders": mixed.get(action.id, [])}
    return out


def track_record(*, session: Session, workspace_id: int) -> list[dict[str, Any]]:
    """Per kind of change: evaluated actions, the share confirmed, and how far observed effects were from the
    expected ones (the mean of |observed − expected| ÷ |expected|); the share is offered as RICE confidence."""
    confirmed = sa.func.sum(sa.case((col(Action.verdict) == "confirmed", 1), else_=0))
    has_both = sa.and_(col(Action.observed_change).is_not(None), col(Action.expected_change) != 0)
    miss = sa.func.abs(col(Action.observed_change) - col(Action.expected_change)) / sa.func.abs(
        col(Action.expected_change)
    )
    rows = session.exec(
        select(Action.change_kind, sa.func.count(), confirmed, sa.func.avg(sa.case((has_both, miss), else_=None)))
        .where(Action.workspace_id == workspace_id, Action.status == ActionStatus.evaluated)
        .group_by(Action.change_kind)
    ).all()
    found = {kind: (n, int(c or 0), m) for kind, n, c, m in rows}
    out = []
    for kind in ChangeKind:
        n, c, m = found.get(kind, (0, 0, None))
        share = c / n if n else None
        out.append(
            {
                "change_kind": kind.value,
                "evaluated": n,
                "confirmed": c,
                "share_confirmed": share,
                "mean_miss": None if m is None else round(float(m), 3),
                "suggested_confidence": suggested_confidence(share, n),
            }
        )
    return out


def suggested_confidence(share: float | None, n: int) -> int | None:
    """RICE confidence (50, 80 or 100 %) from how often this kind of change was confirmed; None below 2 cases."""
    if share is None or n < 2:
        return None
    return 100 if share >= 0.7 else 80 if share >= 0.4 else 50
