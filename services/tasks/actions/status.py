"""An action's statuses: idea → planned → in progress → done → evaluated, or dropped with a reason."""

from __future__ import annotations

from services.tasks.actions.models import ActionStatus as S

# Where each status may go by POST /status (evaluated only through the evaluation; dropped can be revived).
TRANSITIONS: dict[S, set[S]] = {
    S.idea: {S.planned, S.dropped},
    S.planned: {S.idea, S.in_progress, S.done, S.dropped},
    S.in_progress: {S.planned, S.done, S.dropped},
    S.done: {S.in_progress},
    S.evaluated: set(),
    S.dropped: {S.idea},
}
OPEN = {S.idea, S.planned, S.in_progress}


def allowed(current: S, target: S) -> bool:
    """Whether a status change by hand is allowed."""
    return target in TRANSITIONS[current]


def describe() -> str:
    """The transitions in words, for the API description."""
    parts = (f"{a.value} → {', '.join(sorted(b.value for b in t)) or '(final)'}" for a, t in TRANSITIONS.items())
    return "; ".join(parts)
