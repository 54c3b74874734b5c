"""Formulas of derived KPIs: parsing, canonical text, evaluation, and the graph of a workspace's formulas."""

from __future__ import annotations

import pytest

from services.metrics.kpis import formula
from services.metrics.kpis.formula import FormulaError, Graph, node_of

IDS = {"cost": 12, "conversions": 15, "visits": 3}


def resolved(text: str) -> formula.Node:
    def lookup(ref: formula.Ref) -> int:
        return ref.kpi_id if ref.kpi_id is not None else IDS[ref.name.lower()]

    return formula.resolve(formula.parse(text), lookup)


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("[Cost] / [Conversions]", "[#12] / [#15]"),
        ("[#12]/[#15]*100", "[#12] / [#15] * 100"),
        ("  [cost]  -  ( [visits] - 2.5 ) ", "[#12] - ([#3] - 2.5)"),
        ("([Cost] + [Visits]) * 2", "([#12] + [#3]) * 2"),
        ("[Cost] + [Visits] * 2", "[#12] + [#3] * 2"),
        ("-[Cost] + -(-[Visits])", "-[#12] + -(-[#3])".replace("-(-[#3])", "--[#3]")),
        ("-([Cost] + 1)", "-([#12] + 1)"),
        ("[Cost] / ([Visits] * 2)", "[#12] / ([#3] * 2)"),
        ("1e3 * [Cost]", "1e3 * [#12]"),
        ("+[Cost]", "[#12]"),
    ],
)
def test_canonical_text_uses_ids_and_survives_a_round_trip(text, canonical):
    tree = resolved(text)
    assert formula.render(tree) == canonical
    assert formula.parse(canonical) == formula.parse(formula.render(formula.parse(canonical)))
    assert formula.render(formula.resolve(formula.parse(canonical), lambda r: r.kpi_id)) == canonical


@pytest.mark.parametrize(
    "text, message",
    [
        ("[Cost] /", "syntax error at position 9: expected a number, a [KPI] or '(', found the end"),
        ("[Cost] % 2", "syntax error at position 8: unexpected '%'"),
        ("([Cost] + 1", "syntax error at position 12: expected ')', found the end"),
        ("[Cost] [Visits]", "syntax error at position 8: expected an operator or the end, found '[Visits]'"),
        ("[Cost", "syntax error at position 1: '[' without a closing ']'"),
        ("[] + 1", "syntax error at position 1: empty KPI reference []"),
        ("[#x1]", "syntax error at position 1: [#x1] is not a KPI id"),
        ("   ", "empty formula"),
        ("1e999 * [Cost]", "number too large at position 1"),
        ("(" * 50 + "1" + ")" * 50, "formula nested too deeply"),
        ("-" * 100 + "1", "formula nested too deeply"),
        ("__import__('os')", "unexpected '_'"),
    ],
)
def test_syntax_errors_say_where(text, message):
    with pytest.raises(FormulaError) as exc:
        formula.parse(text)
    assert message in str(exc.value)


def test_too_long_is_refused():
    with pytest.raises(FormulaError, match="at most 2000"):
        formula.parse("1+" * 1000 + "1")


def test_a_long_chain_is_refused_before_it_could_exhaust_the_stack():
    """a + 1 + 1 … is a tree as deep as it is long; every walk over it recurses."""
    assert formula.evaluate(formula.parse("[#1]" + "+1" * 100), lambda ref: 1.0) == 101.0
    with pytest.raises(FormulaError, match="at most 100 operations"):
        formula.parse("[#1]" + "+1" * 101)
    with pytest.raises(FormulaError, match="at most 100 operations"):
        formula.parse("[#1]" + "+1" * 990)  # 1,984 characters: within the length limit


@pytest.mark.parametrize(
    "text, values, expected",
    [
        ("[#1] / [#2]", {1: 10.0, 2: 4.0}, 2.5),
        ("[#1] / [#2] * 100", {1: 1.0, 2: 8.0}, 12.5),
        ("[#1] - [#2] - [#2]", {1: 10.0, 2: 3.0}, 4.0),
        ("[#1] - ([#2] - [#2])", {1: 10.0, 2: 3.0}, 10.0),
        ("-[#1] * 2", {1: 3.0}, -6.0),
        ("[#1] / [#2]", {1: 1.0, 2: 0.0}, None),  # division by zero: no value
        ("[#1] + [#2]", {1: 1.0}, None),  # a missing input: no value
        ("[#1] * 1e300 * 1e300", {1: 1.0}, None),  # overflow: no value
    ],
)
def test_evaluate(text, values, expected):
    assert formula.evaluate(formula.parse(text), values.get) == expected


def test_inputs_in_order_each_once():
    assert formula.inputs(resolved("[Visits] + [Cost] / [visits]")) == [3, 12]


def graph() -> Graph:
    return Graph(
        {
            1: node_of("Cost", None, False, None),
            2: node_of("Orders", None, False, None),
            3: node_of("Cost per order", "month", False, "[#1] / [#2]"),
            4: node_of("Cost per order x100", None, False, "[#3] * 100"),
            5: node_of("Old", None, True, "[#1] + 1"),
            6: node_of("Broken", None, False, "[#1] +"),
        }
    )


def test_graph_inputs_display_and_dependents():
    g = graph()
    assert g.inputs(3) == [1, 2] and g.inputs(1) == []
    assert g.display(4) == "[Cost per order] * 100"
    assert g.display(1) is None and g.display(6) == "[#1] +"
    assert g.dependents(1) == [3] and g.dependents(3) == [4]  # the archived formula does not count
    assert g.measured_inputs([4, 2]) == {1, 2}


def test_graph_values_transitively():
    g = graph()
    measured = {1: 50.0, 2: 10.0}.get
    assert g.value(4, measured) == 500.0
    assert g.value(2, measured) == 10.0
    assert g.value(6, measured) is None  # a stored formula that no longer parses has no value
    assert g.value(3, {1: 50.0, 2: 0.0}.get) is None


def test_graph_finds_cycles_with_the_chain():
    g = graph()
    assert g.cycle(1, [4]) == [1, 4, 3, 1]  # Cost := [Cost per order x100] closes Cost → ... → Cost
    assert g.cycle(2, [1]) is None
    assert g.cycle(7, [7]) == [7, 7]


def test_names_that_cannot_be_written_in_brackets_show_as_ids():
    g = Graph(
        {
            1: node_of("A]B", None, False, None),
            2: node_of("#2", None, False, None),
            3: node_of("X", None, False, "[#1] + [#2]"),
        }
    )
    assert g.display(3) == "[#1] + [#2]"
