"""The goal tree as the pages show it: level names, sibling order, subtree sizes, readable history. No I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from frontend.backend import N_

LEVELS = ("strategic_goal", "strategic_means", "tactical_means")
LEVEL_LABELS = {
    "strategic_goal": N_("Strategic goal"),
    "strategic_means": N_("Strategic means"),
    "tactical_means": N_("Tactical means"),
}
# What the button under a goal adds.
ADD_LABELS = {
    None: N_("Add strategic goal"),
    "strategic_goal": N_("Add strategic means"),
    "strategic_means": N_("Add tactical means"),
}
CHILD_LEVEL = {None: "strategic_goal", "strategic_goal": "strategic_means", "strategic_means": "tactical_means"}
STATUS_LABELS = {
    "on_track": N_("On track"),
    "at_risk": N_("At risk"),
    "off_track": N_("Off track"),
    "not_measured": N_("Not measured"),
}


def walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every node of a nested tree, depth first, parents before children."""
    for node in nodes:
        yield node
        yield from walk(node.get("children") or [])


def annotate(nodes: list[dict[str, Any]], parent: dict[str, Any] | None = None) -> int:
    """Give each node what the tree page needs: parent id (and whether that is archived), first/last among its
    active siblings, the number of goals under it and the level of a child. Returns the number of nodes (this level
    and below)."""
    active = [n for n in nodes if not n.get("archived")]
    total = 0
    for node in nodes:
        node["parent_id"] = parent["id"] if parent else None
        node["parent_archived"] = bool(parent and parent.get("archived"))  # restored only with its parent
        node["first"] = bool(active) and node is active[0]
        node["last"] = bool(active) and node is active[-1]
        node["descendants"] = annotate(node.get("children") or [], node)
        node["child_level"] = CHILD_LEVEL.get(node["level"])
        total += 1 + node["descendants"]
    return total


def find(nodes: list[dict[str, Any]], goal_id: int) -> dict[str, Any] | None:
    return next((n for n in walk(nodes) if n["id"] == goal_id), None)


def kpi_ids(nodes: list[dict[str, Any]]) -> list[int]:
    """The KPIs linked anywhere in the tree, in the order the tree first names them."""
    return list(dict.fromkeys(k["kpi_id"] for n in walk(nodes) for k in n.get("kpis") or []))


# --- history ---------------------------------------------------------------------------------------------

FIELD_LABELS = {
    "title": N_("Title"),
    "description": N_("Description"),
    "owner_id": N_("Owner"),
    "period_from": N_("Start"),
    "period_to": N_("End"),
    "weight": N_("Weight"),
    "position": N_("Place among its siblings"),
    "surface_ids": N_("Surfaces"),
    "kpis": N_("KPIs"),
}
ACTION_LABELS = {
    "created": N_("created the goal"),
    "updated": N_("changed the goal"),
    "moved": N_("moved the goal"),
    "archived": N_("archived the goal"),
    "restored": N_("restored the goal"),
    "kpi_linked": N_("linked a KPI"),
    "kpi_unlinked": N_("removed a KPI"),
}


@dataclass(frozen=True, slots=True)
class Change:
    """One changed field, as words: label (a msgid), the old and the new value (None: empty)."""

    label: str
    old: str | None
    new: str | None
    long: bool = False  # long text: say that it changed, not what it was
    about: str | None = None  # what the field belongs to, e.g. the KPI of a KPI weight
    note: bool = False  # the label says it all (e.g. moved under another goal)


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a goal's history."""

    at: str
    who: str
    action: str  # a msgid
    subject: str | None = None  # the KPI a link event is about
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Names:
    """How to name what history refers to by id."""

    person: Callable[[int], str]
    surface: Callable[[int], str]
    kpi: Callable[[int], str]
    day: Callable[[str], str]


def describe(event: Mapping[str, Any], names: Names) -> Event:
    """A history event in words; the fields a creation sets are shown as the goal's first values."""
    changes = dict(event.get("changes") or {})
    action = event.get("action", "updated")
    subject = None
    if action in ("kpi_linked", "kpi_unlinked"):
        pair = changes.get("kpi_id") or [None, None]
        kpi = pair[1] if action == "kpi_linked" else pair[0]
        subject = names.kpi(kpi) if kpi is not None else None
        changes = {}
    rows = [
        _change(key, value, names)
        for key, value in changes.items()
        if key not in ("archived", "level") and not (action == "created" and key in ("position", "parent_id"))
    ]
    return Event(
        at=event.get("at", ""),
        who=names.person(event.get("user_id")),
        action=ACTION_LABELS.get(action, ACTION_LABELS["updated"]),
        subject=subject,
        changes=[r for r in rows if r is not None],
    )


def _change(key: str, value: Any, names: Names) -> Change | None:
    old, new = (value + [None, None])[:2] if isinstance(value, list) else (None, value)
    if key.startswith("kpis.") and key.endswith(".weight"):
        kpi = key.split(".")[1]
        return Change(
            N_("KPI weight"), _number(old), _number(new), about=names.kpi(int(kpi)) if kpi.isdigit() else None
        )
    show: Callable[[Any], str | None] = {
        "owner_id": lambda v: names.person(v) if v is not None else None,
        "period_from": lambda v: names.day(v) if v else None,
        "period_to": lambda v: names.day(v) if v else None,
        "weight": _number,
        "position": lambda v: str(v + 1) if isinstance(v, int) else None,
        "surface_ids": lambda v: ", ".join(names.surface(i) for i in v) if v else None,
        "kpis": lambda v: ", ".join(names.kpi(k.get("kpi_id")) for k in v if isinstance(k, dict)) if v else None,
    }.get(key, lambda v: None if v in (None, "") else str(v))
    if key == "parent_id":
        return Change(N_("Moved under another goal"), None, None, note=True)
    label = FIELD_LABELS.get(key)
    if label is None or (show(old) is None and show(new) is None):
        return None
    return Change(label, show(old), show(new), long=key == "description")


def _number(value: Any) -> str | None:
    if value is None:
        return None
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)
