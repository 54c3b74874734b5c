"""The rules a template's definition must keep: known references, unique keys, no dependency cycles."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.tasks.workflows.models import Definition


def _unique(keys: list[str], what: str) -> set[str]:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{what} key {key!r} is used twice")
        seen.add(key)
    return seen


def check_definition(definition: Definition) -> None:
    """Raise ValueError (a 422 naming `definition`) when a step names something the template lacks."""
    anchors = _unique([a.key for a in definition.anchors], "anchor")
    roles = _unique([r.key for r in definition.roles], "role")
    steps = _unique([s.key for s in definition.steps], "step")
    for step in definition.steps:
        if step.anchor not in anchors:
            raise ValueError(f"step {step.key!r}: no anchor {step.anchor!r}")
        if step.role not in roles:
            raise ValueError(f"step {step.key!r}: no role {step.role!r}")
        for dep in step.depends_on:
            if dep not in steps or dep == step.key:
                raise ValueError(f"step {step.key!r}: depends on unknown step {dep!r}")
        if step.approval:
            for role in step.approval.approver_roles:
                if role not in roles:
                    raise ValueError(f"step {step.key!r}: no approver role {role!r}")
    _no_cycles({s.key: s.depends_on for s in definition.steps})


def _no_cycles(graph: dict[str, list[str]]) -> None:
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        if state.get(node) == 1:
            raise ValueError(f"the steps' dependencies form a cycle through {node!r}")
        if state.get(node) == 2:
            return
        state[node] = 1
        for dep in graph[node]:
            visit(dep)
        state[node] = 2

    for node in graph:
        visit(node)


def topological(graph: dict[str, list[str]]) -> list[str]:
    """The keys so that every step comes after the steps it depends on (ties keep the given order)."""
    out: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        done.add(node)
        for dep in graph[node]:
            visit(dep)
        out.append(node)

    for node in graph:
        visit(node)
    return out
