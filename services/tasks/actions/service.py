"""Business rules of the action list. Every query is scoped by workspace; a foreign id is NotFound, a foreign id
in a body is a 422 naming the field. Ids of other services are checked by asking their owner (owners.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from kit.db import save
from kit.errors import Invalid
from kit.fields import utcnow
from kit.query import get_scoped, order_by
from services.tasks.actions import cadence, priority, status
from services.tasks.actions.models import (
    Action,
    ActionCreate,
    ActionEvent,
    ActionEventPublic,
    ActionPublic,
    ActionSettings,
    ActionSettingsIn,
    ActionStatus,
    ActionUpdate,
    Verdict,
)
from services.tasks.actions.owners import Owners
from services.tasks.events.models import EventKind
from services.tasks.events.service import record as tell
from services.tasks.periods.models import Period

ACTION_SORTS = {
    "title", "status", "effort_hours", "gain", "rice_score", "ice_score", "cost", "due_on", "done_on",
    "created_at", "updated_at",
}  # fmt: skip
SIZE_FIELDS = {"S": "hours_s", "M": "hours_m", "L": "hours_l", "XL": "hours_xl"}
SCORE_INPUTS = {"reach", "rice_impact", "rice_confidence", "effort_hours", "ice_impact", "ice_confidence", "ice_ease"}
GAIN_INPUTS = {"expected_size", "expected_unit", "baseline_value"}


# --- settings -----------------------------------------------------------------------------------------------


def get_settings(*, session: Session, workspace_id: int) -> ActionSettings:
    """The workspace's hours per effort size (the defaults until it sets its own)."""
    return session.get(ActionSettings, workspace_id) or ActionSettings(workspace_id=workspace_id)


def put_settings(*, session: Session, workspace_id: int, data: ActionSettingsIn) -> ActionSettings:
    """Set the hours per size; S ≤ M ≤ L ≤ XL. Actions sized before keep their hours."""
    hours = [data.hours_s, data.hours_m, data.hours_l, data.hours_xl]
    if hours != sorted(hours):
        raise Invalid.field("hours_m", "sizes must not shrink: S ≤ M ≤ L ≤ XL")
    return save(session, get_settings(session=session, workspace_id=workspace_id), data.model_dump())


# --- reads --------------------------------------------------------------------------------------------------


def to_public(action: Action, *, settings: ActionSettings, period_ends_on: date | None, today: date) -> ActionPublic:
    """The public view: the gain used, the quadrant and the cadence check computed."""
    gain = action.gain if action.gain is not None else action.gain_suggested
    done = action.status in (ActionStatus.done, ActionStatus.evaluated)
    completes_on = action.done_on if done else (action.due_on or period_ends_on)
    flag = None
    if action.status in status.OPEN:  # done ones are judged by their effect
        flag = cadence.check(
            completes_on=completes_on,
            grain=action.kpi_grain,
            periods=action.evaluation_periods,
            cadence=action.surface_cadence,
            anchor=action.surface_anchor,
        )
    return ActionPublic.model_validate(
        action,
        update={
            "gain_used": gain,
            "quadrant": priority.quadrant(action.effort_hours, gain, settings.hours_m),
            "cadence": flag,
        },
    )


def publish(*, session: Session, workspace_id: int, rows: list[tuple[Action, date | None]], today: date):
    """Public views of (action, its period's end) rows, with the workspace's settings read once."""
    settings = get_settings(session=session, workspace_id=workspace_id)
    return [to_public(a, settings=settings, period_ends_on=ends, today=today) for a, ends in rows]


def list_actions(
    *,
    session: Session,
    workspace_id: int,
    filters: dict[str, Any] | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Action, date | None]], int]:
    """One page of (action, its period's last day) and how many match; quick wins first unless sorted."""
    where = _where(workspace_id, filters or {})
    settings = get_settings(session=session, workspace_id=workspace_id)
    default = priority.matrix_order(settings.hours_m)
    if sort and sort.removeprefix("-") == "gain":
        gain = priority.gain_used()
        order = [(gain.desc() if sort.startswith("-") else gain.asc()).nulls_last(), col(Action.id)]
    else:
        order = order_by(Action, sort, ACTION_SORTS, default[:-1])
    query = select(Action, Period.ends_on).outerjoin(Period, col(Period.id) == col(Action.period_id)).where(*where)
    total = session.exec(select(func.count()).select_from(Action).where(*where)).one()
    rows = session.exec(query.order_by(*order).limit(limit).offset(offset)).all()
    return [(a, ends) for a, ends in rows], total


def _where(workspace_id: int, f: dict[str, Any]) -> list:
    where = [Action.workspace_id == workspace_id]
    for name in ("period_id", "kpi_id", "surface_id", "goal_id", "change_kind", "owner_id"):
        if f.get(name) is not None:
            where.append(getattr(Action, name) == f[name])
    if f.get("status"):
        where.append(col(Action.status).in_(f["status"]))
    if f.get("finding_ids"):
        where.append(col(Action.finding_id).in_(f["finding_ids"]))
    if f.get("ids"):
        where.append(col(Action.id).in_(f["ids"]))
    if f.get("feedback_item_id") is not None:
        # ",21,22," contains ",21,": the JSON list as text on both databases, with its brackets and spaces dropped
        text = sa.cast(col(Action.feedback_item_ids), sa.String)
        bare = sa.func.replace(sa.func.replace(sa.func.replace(text, "[", ""), "]", ""), " ", "")
        where.append((sa.literal(",") + bare + sa.literal(",")).like(f"%,{int(f['feedback_item_id'])},%"))
    if f.get("done_since") is not None:
        where.append(col(Action.done_on) >= f["done_since"])
    if f.get("q"):
        where.append(col(Action.title).ilike(f"%{f['q']}%"))
    return where


def get_action(*, session: Session, workspace_id: int, action_id: int) -> Action:
    """The action, if it belongs to the workspace."""
    return get_scoped(session, Action, workspace_id, action_id, "action")


def period_end(session: Session, action: Action) -> date | None:
    period = session.get(Period, action.period_id) if action.period_id else None
    return period.ends_on if period else None


def history(*, session: Session, action: Action) -> list[ActionEventPublic]:
    """Every change of status, plan and evaluation, oldest first."""
    rows = session.exec(
        select(ActionEvent).where(ActionEvent.action_id == action.id).order_by(col(ActionEvent.at), col(ActionEvent.id))
    ).all()
    return [ActionEventPublic.model_validate(e, from_attributes=True) for e in rows]


# --- writes -------------------------------------------------------------------------------------------------


def record(session: Session, action: Action, by: int | None, kind: str, **fields: Any) -> None:
    """Add a line to the action's history."""
    session.add(ActionEvent(action_id=action.id, workspace_id=action.workspace_id, by=by, kind=kind, **fields))


def check_period(session: Session, workspace_id: int, period_id: int | None) -> Period | None:
    """The workspace's period; a foreign or archived one is a 422 naming period_id."""
    if period_id is None:
        return None
    period = session.get(Period, period_id)
    if period is None or period.workspace_id != workspace_id:
        raise Invalid.field("period_id", f"no period {period_id} in this workspace")
    if period.archived:
        raise Invalid.field("period_id", f"period {period_id} is archived")
    return period


def _check_owners(changes: dict[str, Any], owners: Owners) -> dict[str, Any]:
    """Ask the owner of each id the caller set; copy what lists need (names, cadence, grain)."""
    extra: dict[str, Any] = {}
    if changes.get("finding_id") is not None:
        finding = owners.finding(changes["finding_id"])
        if finding is None:
            raise Invalid.field("finding_id", f"no finding {changes['finding_id']} in this workspace")
        for name in ("kpi_id", "surface_id", "change_kind"):
            if changes.get(name) is None and finding.get(name) is not None:
                changes[name] = extra[name] = finding[name]
    if changes.get("feedback_item_ids"):
        wanted = sorted(set(changes["feedback_item_ids"]))
        missing = sorted(set(wanted) - owners.feedback_items(wanted))
        if missing:
            raise Invalid.field("feedback_item_ids", f"no feedback items {missing} in this workspace")
        changes["feedback_item_ids"] = extra["feedback_item_ids"] = wanted
    if changes.get("goal_id") is not None and owners.goal(changes["goal_id"]) is None:
        raise Invalid.field("goal_id", f"no goal {changes['goal_id']} in this workspace")
    if "kpi_id" in changes:
        kpi = owners.kpi(changes["kpi_id"]) if changes["kpi_id"] is not None else {}
        if kpi is None:
            raise Invalid.field("kpi_id", f"no KPI {changes['kpi_id']} in this workspace")
        extra["kpi_name"] = kpi.get("name")
        extra["kpi_grain"] = cadence.grain_of(kpi.get("expected_frequency")) if kpi else None
    if "surface_id" in changes:
        surface = owners.surface(changes["surface_id"]) if changes["surface_id"] is not None else {}
        if surface is None:
            raise Invalid.field("surface_id", f"no surface {changes['surface_id']} in this workspace")
        extra["surface_cadence"] = surface.get("cadence")
        extra["surface_anchor"] = surface.get("period_start")
    return extra


def _derive(action: Action, changes: dict[str, Any], settings: ActionSettings) -> None:
    """Hours from a size, the suggested gain and the scores: what follows from the fields set."""
    if changes.get("effort_size") is not None and changes.get("effort_hours") is None:
        action.effort_hours = getattr(settings, SIZE_FIELDS[action.effort_size])
    elif "effort_hours" in changes and "effort_size" not in changes:
        action.effort_size = None  # hours typed by hand are no longer the size's
    action.gain_suggested = priority.suggested_gain(action.expected_size, action.expected_unit, action.baseline_value)
    action.rice_score = priority.rice(action.reach, action.rice_impact, action.rice_confidence, action.effort_hours)
    action.ice_score = priority.ice(action.ice_impact, action.ice_confidence, action.ice_ease)


def create_action(
    *, session: Session, workspace_id: int, user_id: int | None, data: ActionCreate, owners: Owners
) -> Action:
    """Add an action (an idea, or planned into a period); the ids it names are checked with their owners."""
    changes = data.model_dump(exclude_unset=True)
    check_period(session, workspace_id, data.period_id)
    if data.status == "planned" and data.period_id is None:
        raise Invalid.field("period_id", "a planned action needs a period")
    extra = _check_owners(changes, owners)
    action = Action.model_validate({**data.model_dump(), **changes, **extra}, update={"workspace_id": workspace_id})
    action.status = ActionStatus(data.status)
    action.created_by = user_id
    _derive(action, changes, get_settings(session=session, workspace_id=workspace_id))
    session.add(action)
    session.flush()
    record(session, action, user_id, "created", to_status=action.status.value)
    return action


def update_action(
    *, session: Session, workspace_id: int, user_id: int | None, action_id: int, data: ActionUpdate, owners: Owners
) -> Action:
    """Change the fields the caller sent; a changed period is recorded in the history."""
    action = get_action(session=session, workspace_id=workspace_id, action_id=action_id)
    changes = data.model_dump(exclude_unset=True)
    if "period_id" in changes and changes["period_id"] != action.period_id:
        _move(session, action, changes.pop("period_id"), user_id)
    changes.update(_check_owners({k: v for k, v in changes.items()}, owners))
    action.sqlmodel_update(changes)
    _derive(action, changes, get_settings(session=session, workspace_id=workspace_id))
    return save(session, action)


def _move(session: Session, action: Action, period_id: int | None, user_id: int | None) -> None:
    period = check_period(session, action.workspace_id, period_id)
    if period is None and action.status == ActionStatus.planned:
        raise Invalid.field("period_id", "a planned action needs a period; set it back to idea first")
    action.period_id = period_id
    record(session, action, user_id, "planned", note=period.name if period else None)


def plan(*, session: Session, workspace_id: int, user_id: int | None, action_id: int, period_id: int | None) -> Action:
    """Plan an action into a period (an idea becomes planned), move it to another, or take it out (back to idea)."""
    action = get_action(session=session, workspace_id=workspace_id, action_id=action_id)
    if action.status not in status.OPEN:
        raise Invalid.field("period_id", f"a {action.status.value} action is not planned any more")
    if period_id is None and action.status == ActionStatus.planned:
        _set_status(session, action, ActionStatus.idea, user_id)
    _move(session, action, period_id, user_id)
    if period_id is not None and action.status == ActionStatus.idea:
        _set_status(session, action, ActionStatus.planned, user_id)
    return save(session, action)


def _set_status(session: Session, action: Action, target: ActionStatus, user_id: int | None, note=None) -> None:
    record(session, action, user_id, "status", from_status=action.status.value, to_status=target.value, note=note)
    action.status = target
    if target in TOLD:
        _tell(session, action, target, user_id)


TOLD = {ActionStatus.done: EventKind.action_done, ActionStatus.evaluated: EventKind.effect_evaluated}


def _tell(session: Session, action: Action, target: ActionStatus, user_id: int | None) -> None:
    """ "Done" and "effect judged" to the action's owner and its creator, unless they made the change themselves."""
    if action.id is None:
        session.add(action)
        session.flush()
    key = f"action:{action.id}:{target.value}:{utcnow().strftime('%Y%m%dT%H%M%S')}"
    params = {"action": action.title, "verdict": action.verdict.value if action.verdict else None}
    for person in sorted({p for p in (action.owner_id, action.created_by) if p is not None and p != user_id}):
        tell(
            session=session,
            workspace_id=action.workspace_id,
            recipient_id=person,
            kind=TOLD[target],
            actor_id=user_id,
            key=key,
            link=f"/actions/{action.id}",
            params={k: v for k, v in params.items() if v is not None},
        )


def change_status(
    *,
    session: Session,
    workspace_id: int,
    user_id: int | None,
    action_id: int,
    target: ActionStatus,
    reason: str | None = None,
    done_on: date | None = None,
    today: date,
) -> Action:
    """Move an action along its statuses (status.TRANSITIONS); done records its date, dropped its reason."""
    action = get_action(session=session, workspace_id=workspace_id, action_id=action_id)
    if not status.allowed(action.status, target):
        raise Invalid.field("status", f"an action cannot go from {action.status.value} to {target.value}")
    if target == ActionStatus.planned and action.period_id is None:
        raise Invalid.field("period_id", "plan the action into a period first")
    if target == ActionStatus.dropped and not (reason or "").strip():
        raise Invalid.field("reason", "say why the action is dropped")
    if done_on is not None and done_on > today:
        raise Invalid.field("done_on", "must not be in the future")
    action.done_on = (done_on or today) if target == ActionStatus.done else action.done_on
    if target == ActionStatus.in_progress:
        action.done_on = None
    action.dropped_reason = reason.strip() if target == ActionStatus.dropped else None
    _set_status(session, action, target, user_id, note=action.dropped_reason)
    return save(session, action)


def mark_evaluated(
    *, session: Session, action: Action, user_id: int | None, verdict, note: str | None, evidence: dict | None
) -> Action:
    """Record a person's evaluation of a done action (the verdict Effekt suggested, or their own)."""
    if action.status != ActionStatus.done:
        raise Invalid.field("verdict", f"only a done action is evaluated; this one is {action.status.value}")
    evidence = evidence or {}
    verdict = Verdict(verdict)
    action.verdict = verdict
    action.evaluation_note = (note or "").strip() or None
    action.observed_change = evidence.get("change")
    action.expected_change = evidence.get("expected_change")
    action.evaluated_at = utcnow()
    action.evaluated_by = user_id
    _set_status(session, action, ActionStatus.evaluated, user_id, note=verdict.value)
    return save(session, action)
