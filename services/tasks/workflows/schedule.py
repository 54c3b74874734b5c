"""Planned dates of a template's steps for given anchor dates, over the workspace's working days.

The non-working-day rule: a computed due date that falls on a day off moves EARLIER for a step due before
its anchor (or on it: the anchor's deadline is never missed) and LATER for a step due after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kit.errors import Invalid
from services.tasks.workflows.models import DayKind, Definition, StepSpec
from services.tasks.workflows.workdays import WorkCalendar

RULE = (
    "A date that falls on a weekend or public holiday moves to the working day before it for steps due "
    "before their anchor (or on it), and to the working day after it for steps due after their anchor."
)


@dataclass(frozen=True)
class PlannedStep:
    step: StepSpec
    raw_due: date
    due_on: date
    start_on: date
    moved: str | None
    moved_direction: str | None


def due_date(calendar: WorkCalendar, anchor: date, offset: int, kind: DayKind) -> tuple[date, date, str | None]:
    """(raw date, due date, why it moved) for a step `offset` days from `anchor`."""
    if kind == DayKind.working and offset != 0:
        raw = calendar.add(anchor, offset)
    else:
        raw = anchor + timedelta(days=offset)
    due = calendar.roll(raw, earlier=offset <= 0)
    reason = None
    if due != raw:
        reason = calendar.holiday(raw) or "weekend"
    return raw, due, reason


def start_date(calendar: WorkCalendar, due: date, duration_days: int) -> date:
    """The working day on which `duration_days` of work must start to end on `due`."""
    return calendar.add(due, -(duration_days - 1)) if duration_days > 1 else due


def plan(
    definition: Definition, anchors: dict[str, date], calendar: WorkCalendar, *, strict: bool = True
) -> list[PlannedStep]:
    """Every step's planned dates. Strict refuses a missing anchor date (422 naming it); lenient skips its steps."""
    known = {a.key for a in definition.anchors}
    for key in anchors:
        if key not in known:
            raise Invalid.field(f"anchors.{key}", "the template has no such anchor")
    out = []
    for step in definition.steps:
        anchor = anchors.get(step.anchor)
        if anchor is None:
            if strict:
                raise Invalid.field(f"anchors.{step.anchor}", "this anchor needs a date")
            continue
        raw, due, reason = due_date(calendar, anchor, step.offset_days, step.day_kind)
        direction = ("earlier" if step.offset_days <= 0 else "later") if reason else None
        out.append(PlannedStep(step, raw, due, start_date(calendar, due, step.duration_days), reason, direction))
    return out
