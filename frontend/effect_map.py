"""The effect map: the goal tree laid out left to right as columns (strategic goals → strategic means →
tactical means → KPIs), for a server-rendered SVG. Pure layout: positions, wrapped text, edge curves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from frontend.goal_tree import LEVELS, walk

NODE_W, GOAL_H, KPI_H = 200, 84, 64
GAP_X, GAP_Y = 64, 14
LINE_H = 16
PAD, HEAD = 16, 46  # the margin, and the room above the first row for the column headings
TITLE_EMS, TITLE_LINES = (NODE_W - 26) / 13, 3  # 13 px titles, 16 px in from the left, 10 from the right


@dataclass(frozen=True, slots=True)
class Labels:
    """The words the map shows, already in the page's language."""

    columns: list[str]
    status: dict[str, str]
    levels: dict[str, str]
    kpi: str


@dataclass(slots=True)
class Node:
    kind: str  # goal or kpi
    id: int
    column: int
    y: float  # centre
    height: float
    lines: list[str]
    status: str
    status_label: str
    percent: int | None
    label: str  # the whole node in words, for screen readers
    level: str = ""

    @property
    def x(self) -> float:
        return column_x(self.column)

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def title_lines(self) -> list[tuple[str, float]]:
        """Each title line with its baseline, the block centred in the room above the status line."""
        room = self.height - 26
        first = self.top + (room - len(self.lines) * LINE_H) / 2 + 15
        return [(line, first + i * LINE_H) for i, line in enumerate(self.lines)]

    @property
    def width(self) -> float:
        return NODE_W

    @property
    def meter_max(self) -> float:
        return NODE_W - 28

    @property
    def meter_width(self) -> float:
        return self.meter_max * (self.percent or 0) / 100


@dataclass(frozen=True, slots=True)
class Edge:
    d: str  # the SVG path
    long: bool  # skips a column (a KPI linked to a goal above the tactical means)


@dataclass(slots=True)
class Drawing:
    width: float
    height: float
    columns: list[tuple[float, str]]  # (centre x, heading)
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def column_x(column: int) -> float:
    return PAD + column * (NODE_W + GAP_X)


def text_width(text: str) -> float:
    """A rough width of `text` in ems of a semi-bold sans-serif (wide enough for DejaVu Sans, the widest common one)."""
    narrow, slim, wide = set("il.,:;'!|() "), set("fjrt-"), set("mwMW%@")
    return sum(
        0.32 if c in narrow else 0.44 if c in slim else 0.95 if c in wide else 0.74 if c.isupper() else 0.64
        for c in text
    )


def wrap(text: str, ems: float = TITLE_EMS, lines: int = TITLE_LINES) -> list[str]:
    """Words into at most `lines` lines of at most `ems` wide; an ellipsis says when text was cut.
    A number and its unit stay together ("15 %")."""
    words = [w for w in text.replace(" %", "\u00a0%").split(" ") if w]  # split() would split at the no-break space
    out: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if text_width(candidate) <= ems or not current:
            current = candidate
        else:
            out.append(current)
            current = word
    out.append(current)
    if len(out) > lines or any(text_width(line) > ems for line in out):
        out = out[:lines]
        last = out[-1]
        while last and text_width(last + "…") > ems:
            last = last[:-1]
        out[-1] = last.rstrip(" ,.;:-") + "…"
    return out


def _percent(value: float | None) -> int | None:
    return None if value is None else max(0, min(100, round(value * 100)))


def _words(title: str, kind: str, status: str, percent: int | None) -> str:
    return ", ".join(p for p in (title, kind, status, f"{percent} %" if percent is not None else "") if p)


class _Layout:
    def __init__(self, labels: Labels):
        self.labels = labels
        self.row = HEAD
        self.goals: dict[int, Node] = {}
        self.edges: list[Edge] = []

    def place(self, goal: dict[str, Any]) -> float:
        """Lay out a goal and its subtree: leaves take the next row, a parent sits midway beside its children."""
        column = LEVELS.index(goal["level"]) if goal["level"] in LEVELS else 0
        children = goal.get("children") or []
        if children:
            ys = [self.place(child) for child in children]
            y = (ys[0] + ys[-1]) / 2
        else:
            y = self.row + GOAL_H / 2
            self.row += GOAL_H + GAP_Y
        percent = _percent(goal.get("progress"))
        status = goal.get("status") or "not_measured"
        label = _words(
            goal["title"], self.labels.levels.get(goal["level"], ""), self.labels.status.get(status, ""), percent
        )
        node = Node(
            "goal",
            goal["id"],
            column,
            y,
            GOAL_H,
            wrap(goal["title"]),
            status,
            self.labels.status.get(status, ""),
            percent,
            label,
            goal["level"],
        )
        self.goals[goal["id"]] = node
        for child in children:
            self.edges.append(_curve(node, self.goals[child["id"]]))
        return y


def _curve(a: Node, b: Node) -> Edge:
    x1, x2 = a.x + NODE_W, b.x
    mid = (x1 + x2) / 2
    return Edge(
        f"M{x1:.1f},{a.y:.1f} C{mid:.1f},{a.y:.1f} {mid:.1f},{b.y:.1f} {x2:.1f},{b.y:.1f}", long=b.column - a.column > 1
    )


def _kpi_nodes(roots: list[dict[str, Any]], goals: dict[int, Node], labels: Labels) -> list[tuple[Node, list[int]]]:
    """One node per KPI, next to the mean height of the goals it measures, never overlapping."""
    seen: dict[int, tuple[dict[str, Any], list[int]]] = {}
    for goal in walk(roots):
        for link in goal.get("kpis") or []:
            seen.setdefault(link["kpi_id"], (link, []))[1].append(goal["id"])
    ideal = sorted(seen.items(), key=lambda item: sum(goals[g].y for g in item[1][1]) / len(item[1][1]))
    placed: list[tuple[Node, list[int]]] = []
    floor = HEAD + KPI_H / 2
    for kpi_id, (link, goal_ids) in ideal:
        y = max(sum(goals[g].y for g in goal_ids) / len(goal_ids), floor)
        floor = y + KPI_H + GAP_Y
        name = link.get("name") or f"{labels.kpi} {kpi_id}"
        status = link.get("status") or "not_measured"
        percent = _percent(link.get("attainment"))
        node = Node(
            "kpi",
            kpi_id,
            3,
            y,
            KPI_H,
            wrap(name, lines=2),
            status,
            labels.status.get(status, ""),
            percent,
            _words(name, labels.kpi, labels.status.get(status, ""), percent),
        )
        placed.append((node, goal_ids))
    return placed


def layout(roots: list[dict[str, Any]], *, labels: Labels) -> Drawing:
    """The drawing of the (active) goal tree."""
    work = _Layout(labels)
    for root in roots:
        work.place(root)
    kpis = _kpi_nodes(roots, work.goals, labels)
    edges = list(work.edges)
    for node, goal_ids in kpis:
        edges.extend(_curve(work.goals[g], node) for g in goal_ids)
    bottom = max([n.top + n.height for n in work.goals.values()] + [n.top + n.height for n, _ in kpis] + [HEAD])
    columns = [(column_x(i) + NODE_W / 2, text) for i, text in enumerate(labels.columns)]
    return Drawing(
        width=column_x(3) + NODE_W + PAD,
        height=bottom + PAD,
        columns=columns,
        nodes=list(work.goals.values()) + [n for n, _ in kpis],
        edges=edges,
    )
