"""Formulas of derived KPIs: parsed by a small recursive-descent parser, evaluated without eval.

Syntax: numbers (`100`, `2.5`, `1e3`), references to KPIs of the workspace by name in square brackets
(`[Cost]`) or by id (`[#12]`), the operators + - * / with the usual precedence, unary minus and
parentheses. Whitespace is free. A formula is stored canonically with id references (`[#12] / [#15]`), so
renaming a KPI does not break the formulas that use it; it is shown with the current names.

Evaluation is over floats: a missing input, a division by zero or a result that is not finite gives no
value (None), never an error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

MAX_LENGTH = 2000
MAX_DEPTH = 40  # nesting of parentheses and unary minus; far beyond any real formula, far below the stack
MAX_OPERATIONS = 100  # a chain a + b + c … is a tree as deep as it is long: keep it far below the stack too
TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<ref>\[[^\]]*\]?)|(?P<op>[-+*/()]))")
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


class FormulaError(ValueError):
    """A formula that cannot be used; the message says why and where (1-based position)."""


@dataclass(frozen=True, slots=True)
class Num:
    value: float
    text: str


@dataclass(frozen=True, slots=True)
class Ref:
    """A KPI reference: kpi_id once resolved; name (and position) as written."""

    kpi_id: int | None
    name: str | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class Bin:
    op: str
    left: Node
    right: Node


Node = Num | Ref | Neg | Bin


# --- parsing ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Token:
    kind: str  # num, ref, op, end
    text: str
    position: int  # 1-based


def _tokens(text: str) -> list[_Token]:
    out = []
    at = 0
    while at < len(text):
        match = TOKEN.match(text, at)
        if match is None or match.end() == at:
            if text[at:].strip() == "":
                break
            start = len(text) - len(text[at:].lstrip())
            raise FormulaError(f"syntax error at position {start + 1}: unexpected {text[start]!r}")
        kind = match.lastgroup
        if kind is None:  # only whitespace left
            break
        out.append(_Token(kind, match.group(kind), match.start(kind) + 1))
        at = match.end()
    out.append(_Token("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0
        self.operations = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.at]

    def error(self, expected: str) -> FormulaError:
        found = "the end" if self.token.kind == "end" else repr(self.token.text)
        return FormulaError(f"syntax error at position {self.token.position}: expected {expected}, found {found}")

    def expression(self, min_precedence: int = 1) -> Node:
        left = self.unary()
        while self.token.kind == "op" and PRECEDENCE.get(self.token.text, 0) >= min_precedence:
            op = self.token.text
            self.operations += 1
            if self.operations > MAX_OPERATIONS:
                raise FormulaError(f"at most {MAX_OPERATIONS} operations (+ - * /); position {self.token.position}")
            self.at += 1
            left = Bin(op, left, self.expression(PRECEDENCE[op] + 1))
        return left

    def unary(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula nested too deeply at position {self.token.position}")
        try:
            if self.token.kind == "op" and self.token.text == "-":
                self.at += 1
                return Neg(self.unary())
            if self.token.kind == "op" and self.token.text == "+":
                self.at += 1
                return self.unary()
            return self.atom()
        finally:
            self.depth -= 1

    def atom(self) -> Node:
        token = self.token
        if token.kind == "num":
            self.at += 1
            value = float(token.text)
            if not math.isfinite(value):
                raise FormulaError(f"number too large at position {token.position}")
            return Num(value, token.text)
        if token.kind == "ref":
            self.at += 1
            return _reference(token)
        if token.kind == "op" and token.text == "(":
            self.at += 1
            inner = self.expression()
            if not (self.token.kind == "op" and self.token.text == ")"):
                raise self.error("')'")
            self.at += 1
            return inner
        raise self.error("a number, a [KPI] or '('")


def _reference(token: _Token) -> Ref:
    if not token.text.endswith("]") or len(token.text) < 2:
        raise FormulaError(f"syntax error at position {token.position}: '[' without a closing ']'")
    inner = token.text[1:-1].strip()
    if not inner:
        raise FormulaError(f"syntax error at position {token.position}: empty KPI reference []")
    if inner.startswith("#"):
        digits = inner[1:].strip()
        if not digits.isdigit() or not 0 < int(digits) < 2**31:
            raise FormulaError(f"syntax error at position {token.position}: {token.text} is not a KPI id")
        return Ref(int(digits), None, token.position)
    return Ref(None, inner, token.position)


def parse(text: str) -> Node:
    """The syntax tree of a formula; FormulaError names the position of the first problem."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"at most {MAX_LENGTH} characters")
    if not text.strip():
        raise FormulaError("empty formula")
    parser = _Parser(text)
    node = parser.expression()
    if parser.token.kind != "end":
        raise parser.error("an operator or the end")
    return node


# --- references ------------------------------------------------------------------------------------


def references(node: Node) -> Iterator[Ref]:
    """Every reference, left to right."""
    if isinstance(node, Ref):
        yield node
    elif isinstance(node, Neg):
        yield from references(node.operand)
    elif isinstance(node, Bin):
        yield from references(node.left)
        yield from references(node.right)


def inputs(node: Node) -> list[int]:
    """The ids of the KPIs a resolved formula uses, each once, in order of appearance."""
    return list(dict.fromkeys(ref.kpi_id for ref in references(node) if ref.kpi_id is not None))


def resolve(node: Node, lookup: Callable[[Ref], int]) -> Node:
    """The same tree with every reference resolved to an id by `lookup` (which raises FormulaError)."""
    if isinstance(node, Ref):
        return Ref(lookup(node))
    if isinstance(node, Neg):
        return Neg(resolve(node.operand, lookup))
    if isinstance(node, Bin):
        return Bin(node.op, resolve(node.left, lookup), resolve(node.right, lookup))
    return node


# --- printing --------------------------------------------------------------------------------------


def _name_ref(kpi_id: int, names: Mapping[int, str] | None) -> str:
    name = names.get(kpi_id) if names is not None else None
    # A name a reference cannot hold (a bracket, a leading #) is shown by id.
    if name is None or "]" in name or name.strip().startswith("#") or name != name.strip():
        return f"[#{kpi_id}]"
    return f"[{name}]"


def render(node: Node, names: Mapping[int, str] | None = None) -> str:
    """The formula as text: with id references (canonical), or with the names in `names` where known."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Ref):
        return _name_ref(node.kpi_id, names) if node.kpi_id is not None else f"[{node.name}]"
    if isinstance(node, Neg):
        inner = render(node.operand, names)
        return f"-({inner})" if isinstance(node.operand, Bin) else f"-{inner}"
    left, right = render(node.left, names), render(node.right, names)
    mine = PRECEDENCE[node.op]
    if isinstance(node.left, Bin) and PRECEDENCE[node.left.op] < mine:
        left = f"({left})"
    if isinstance(node.right, Bin) and PRECEDENCE[node.right.op] <= mine:
        right = f"({right})"  # a - (b - c), a / (b * c): the tree survives a round trip
    return f"{left} {node.op} {right}"


def canonical(text: str) -> str:
    """A canonical formula's own text normalised (for formulas already stored with ids)."""
    return render(parse(text))


# --- evaluation ------------------------------------------------------------------------------------


def evaluate(node: Node, value_of: Callable[[int], float | None]) -> float | None:
    """The formula's value given each input's value; None when an input is missing or a division is by zero."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return value_of(node.kpi_id) if node.kpi_id is not None else None
    if isinstance(node, Neg):
        inner = evaluate(node.operand, value_of)
        return None if inner is None else -inner
    left = evaluate(node.left, value_of)
    if left is None:
        return None
    right = evaluate(node.right, value_of)
    if right is None:
        return None
    if node.op == "+":
        result = left + right
    elif node.op == "-":
        result = left - right
    elif node.op == "*":
        result = left * right
    elif right == 0:
        return None
    else:
        result = left / right
    return result if math.isfinite(result) else None


# --- the formulas of a workspace -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KpiNode:
    """What formulas need of a KPI: its name, expected frequency, whether archived, and its parsed formula."""

    name: str
    frequency: str | None
    archived: bool
    text: str | None  # the stored canonical formula; None for a measured KPI
    formula: Node | None  # parsed; None also if a stored formula no longer parses (then it has no value)
    aggregation: str = "sum"

    @property
    def derived(self) -> bool:
        return self.text is not None


def node_of(name: str, frequency: str | None, archived: bool, text: str | None, aggregation: str = "sum") -> KpiNode:
    """A KpiNode, its stored formula parsed (a broken one gives a derived KPI without values)."""
    try:
        formula = parse(text) if text else None
    except FormulaError:
        formula = None
    return KpiNode(name, frequency, archived, text, formula, aggregation)


class Graph:
    """The KPIs of a workspace as formulas see them: which uses which, and derived values from inputs."""

    def __init__(self, nodes: Mapping[int, KpiNode]):
        self.nodes = dict(nodes)

    def inputs(self, kpi_id: int) -> list[int]:
        """The KPIs a derived KPI's formula uses directly."""
        node = self.nodes.get(kpi_id)
        return inputs(node.formula) if node is not None and node.formula is not None else []

    def derived(self, kpi_id: int) -> bool:
        node = self.nodes.get(kpi_id)
        return node is not None and node.derived

    def measured_inputs(self, kpi_ids: Iterator[int] | list[int] | set[int]) -> set[int]:
        """The measured KPIs whose observations the given KPIs need: themselves, or their formulas' inputs."""
        out: set[int] = set()
        seen: set[int] = set()
        stack = list(kpi_ids)
        while stack:
            kpi_id = stack.pop()
            if kpi_id in seen:
                continue
            seen.add(kpi_id)
            if self.derived(kpi_id):
                stack.extend(self.inputs(kpi_id))
            else:
                out.add(kpi_id)
        return out

    def cycle(self, kpi_id: int, new_inputs: list[int]) -> list[int] | None:
        """If kpi_id using new_inputs closes a loop: the chain [kpi_id, ..., kpi_id]; else None."""

        def walk(current: int, path: list[int], seen: set[int]) -> list[int] | None:
            for nxt in new_inputs if current == kpi_id else self.inputs(current):
                if nxt == kpi_id:
                    return [*path, nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    found = walk(nxt, [*path, nxt], seen)
                    if found:
                        return found
            return None

        return walk(kpi_id, [kpi_id], set())

    def dependents(self, kpi_id: int) -> list[int]:
        """The active derived KPIs whose formula uses kpi_id directly."""
        return [
            other
            for other, node in self.nodes.items()
            if not node.archived and node.formula is not None and kpi_id in inputs(node.formula)
        ]

    def display(self, kpi_id: int) -> str | None:
        """The formula with the current names of its inputs."""
        node = self.nodes.get(kpi_id)
        if node is None or node.text is None:
            return None
        if node.formula is None:
            return node.text
        return render(node.formula, {i: n.name for i, n in self.nodes.items()})

    def value(
        self,
        kpi_id: int,
        measured: Callable[[int], float | None],
        memo: dict[int, float | None] | None = None,
        visiting: frozenset[int] = frozenset(),
    ) -> float | None:
        """The value of a KPI in one window: measured, or its formula over its inputs' values (transitively)."""
        memo = {} if memo is None else memo
        if kpi_id in memo:
            return memo[kpi_id]
        node = self.nodes.get(kpi_id)
        if node is None or not node.derived:
            result = measured(kpi_id)
        elif node.formula is None or kpi_id in visiting:  # a loop stored by two racing edits: no value
            result = None
        else:
            inner = visiting | {kpi_id}
            result = evaluate(node.formula, lambda ref: self.value(ref, measured, memo, inner))
        memo[kpi_id] = result
        return result
