"""The goal form: what the browser sends, what the goals API takes, and the messages beside the fields."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from frontend.backend import N_, int_or_none

GOAL_ERRORS = {
    "title": N_("Enter a title of at most 200 characters."),
    "description": N_("Use at most 5,000 characters."),
    "owner_id": N_("Choose a member of this workspace, or no owner."),
    "surface_ids": N_("Choose at least one active surface. A tactical means is carried out on a surface."),
    "kpis": N_("Choose KPIs from the list."),
    "period_from": N_("Enter the first day as a date, or leave the field empty."),
    "period_to": N_("The period must end on or after the day it starts."),
    "weight": N_("Enter a weight of 0 or more, for example 1 or 2.5."),
    "parent_id": N_("The goal above has been archived or moved. Reload the page and try again."),
    "level": N_("The goal above has been archived or moved. Reload the page and try again."),
}
TEXT_FIELDS = ("title", "description", "owner_id", "period_from", "period_to", "weight", "level", "parent_id")


def read(data: FormData) -> dict[str, Any]:
    """The submitted form as the template shows it again: texts, and the chosen surfaces and KPIs as sets."""
    form: dict[str, Any] = {f: str(data.get(f, "")).strip() for f in TEXT_FIELDS}
    form["surface_ids"] = {str(v) for v in data.getlist("surface_ids")}
    form["kpi_ids"] = {str(v) for v in data.getlist("kpi_ids")}
    form["kpis_shown"] = data.get("kpis_shown") == "1"
    return form


def blank(level: str, parent_id: int | None, owner_id: int | None = None) -> dict[str, Any]:
    """A new goal at `level` under `parent_id`, owned by whoever adds it until they choose someone else."""
    return {
        "title": "",
        "description": "",
        "owner_id": str(owner_id or ""),
        "period_from": "",
        "period_to": "",
        "weight": "1",
        "level": level,
        "parent_id": "" if parent_id is None else str(parent_id),
        "surface_ids": set(),
        "kpi_ids": set(),
        "kpis_shown": False,
    }


def of_goal(goal: dict[str, Any]) -> dict[str, Any]:
    """The edit form of a goal as the tree (or the API) gives it."""
    return {
        "title": goal["title"],
        "description": goal.get("description") or "",
        "owner_id": str(goal.get("owner_id") or ""),
        "period_from": goal.get("period_from") or "",
        "period_to": goal.get("period_to") or "",
        "weight": f"{goal.get('weight', 1):g}",
        "level": goal["level"],
        "parent_id": str(goal.get("parent_id") or ""),
        "surface_ids": {str(i) for i in goal.get("surface_ids", [])},
        "kpi_ids": {str(k["kpi_id"]) for k in goal.get("kpis", [])},
        "kpis_shown": False,
    }


def weight_error(form: dict[str, Any]) -> dict[str, str]:
    """A weight the API could not even parse gets its message here, beside the field."""
    try:
        ok = float(form["weight"] or "1") >= 0
    except ValueError:
        ok = False
    return {} if ok else {"weight": GOAL_ERRORS["weight"]}


def _common(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": form["title"],
        "description": form["description"] or None,
        "owner_id": int_or_none(form["owner_id"]),
        "period_from": form["period_from"] or None,
        "period_to": form["period_to"] or None,
        "weight": float(form["weight"] or "1"),
    }


def _ids(values: set[str]) -> list[int]:
    return sorted(i for i in (int_or_none(v) for v in values) if i is not None)


def create_payload(form: dict[str, Any]) -> dict[str, Any]:
    """POST /api/v1/goals: empty optional fields left out; surfaces only for a tactical means."""
    out = {k: v for k, v in _common(form).items() if v is not None}
    out["level"] = form["level"]
    out["parent_id"] = int_or_none(form["parent_id"])
    if form["level"] == "tactical_means":
        out["surface_ids"] = _ids(form["surface_ids"])
    if form["kpis_shown"]:
        out["kpis"] = [{"kpi_id": k, "weight": 1.0} for k in _ids(form["kpi_ids"])]
    return out


def update_payload(form: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """PATCH /api/v1/goals/{id}: every field of the form (empty ones cleared); KPI links keep their weights."""
    out = _common(form)
    if current["level"] == "tactical_means":
        out["surface_ids"] = _ids(form["surface_ids"])
    if form["kpis_shown"]:
        weights = {k["kpi_id"]: k.get("weight", 1.0) for k in current.get("kpis", [])}
        out["kpis"] = [{"kpi_id": k, "weight": weights.get(k, 1.0)} for k in _ids(form["kpi_ids"])]
    return out
