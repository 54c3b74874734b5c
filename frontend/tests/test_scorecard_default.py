"""The scorecard's default period is decided by the KPIs whose values are entered, imported, pushed or fed by
connectors: KPIs that fill themselves (feedback, activity, formulas) have a value for every period by construction."""

from __future__ import annotations

from frontend.pages.scorecard import _measured_share


def card(*items: tuple[str, float | None, bool]) -> dict:
    rows = [{"source": source, "value": value, "derived": derived} for source, value, derived in items]
    return {"columns": {"input": rows[:1], "activity": [], "result": rows[1:]}}


def test_self_filling_kpis_do_not_count():
    # the 1st of the month: six business KPIs empty, twenty feedback KPIs and a formula already filled
    first_day = card(*[(s, None, False) for s in ("manual", "import", "api", "connector", "api", "manual")],
                     *[("feedback", 0.0, False)] * 20, ("activity", 3.0, False), ("api", 1.0, True))  # fmt: skip
    assert _measured_share(first_day) == 0.0
    filled = [(s, 5.0, False) for s in ("manual", "import", "api", "connector", "api")]
    last_month = card(*filled, ("manual", None, False), *[("feedback", 2.0, False)] * 20)
    assert _measured_share(last_month) == 5 / 6


def test_a_card_of_self_filling_kpis_only_counts_them_all():
    assert _measured_share(card(("feedback", 1.0, False), ("activity", None, False))) == 0.5
    assert _measured_share(card()) == 1.0
