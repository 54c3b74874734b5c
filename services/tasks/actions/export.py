"""The action list as CSV: one row per action, the columns a spreadsheet user expects."""

from __future__ import annotations

import csv
import io

from services.tasks.actions.models import ActionPublic

COLUMNS = [
    "id", "title", "status", "change_kind", "quadrant", "effort_hours", "effort_size", "gain_used", "rice_score",
    "ice_score", "cost", "kpi_id", "kpi_name", "expected_direction", "expected_size", "expected_unit",
    "evaluation_periods", "period_id", "due_on", "done_on", "owner_id", "goal_id", "surface_id", "finding_id",
    "verdict", "hypothesis",
]  # fmt: skip


def _cell(value) -> str:
    text = "" if value is None else str(getattr(value, "value", value))
    # A cell a spreadsheet would run as a formula is quoted (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def to_csv(actions: list[ActionPublic]) -> str:
    """The actions as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for action in actions:
        data = action.model_dump()
        writer.writerow([_cell(data.get(name)) for name in COLUMNS])
    return out.getvalue()
