"""A small JSONPath subset, enough to point at a value and a date: `$`, `.name`, `['name']`, `[0]`, `[-1]`, `[*]`, `.*`.

No filters, slices or recursive descent: a locked library for it there is not, and a connector only needs to
walk down to a list of items and, in each, to two fields."""

from __future__ import annotations

import re
from typing import Any

TOKEN = re.compile(r"""\.(\*|[A-Za-z_][\w-]*)|\[(\*|-?\d+|'[^']*'|"[^"]*")\]""")


class PathError(ValueError):
    """A path outside the subset."""


def parse(path: str) -> list[str | int]:
    """The steps of a path: names, indexes, and '*' for every member."""
    text = path.strip()
    if not text.startswith("$"):
        raise PathError("a path starts with $")
    steps: list[str | int] = []
    at = 1
    while at < len(text):
        match = TOKEN.match(text, at)
        if not match:
            raise PathError(f"cannot read the path from {text[at : at + 20]!r}; use .name, ['name'], [0] or [*]")
        name, bracket = match.groups()
        if name is not None:
            steps.append(name)
        elif bracket == "*":
            steps.append("*")
        elif bracket[0] in "'\"":
            steps.append(bracket[1:-1])
        else:
            steps.append(int(bracket))
        at = match.end()
    return steps


def find(data: Any, path: str) -> list[Any]:
    """Every value the path reaches in data (none when a step is missing)."""
    current = [data]
    for step in parse(path):
        following: list[Any] = []
        for value in current:
            if step == "*":
                following += (
                    list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
                )
            elif isinstance(step, int):
                if isinstance(value, list) and -len(value) <= step < len(value):
                    following.append(value[step])
            elif isinstance(value, dict) and step in value:
                following.append(value[step])
        current = following
    return current


def first(data: Any, path: str) -> Any:
    """The first value the path reaches, or None."""
    found = find(data, path)
    return found[0] if found else None
