"""The tree, the list and one goal cost the same number of SQL statements for 10 goals and for 2,000.

Metrics is a stub InternalClient given to the app (the service tests have no gateway); it also shows
the KPIs are asked for in one call per 500."""

from __future__ import annotations

import math
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from kit.sqlcount import count_statements
from kit.testing import auth, fresh_engine
from services.goals.db import GoalsModel
from services.goals.goals.models import Goal, GoalKpi, GoalLevel, GoalSurface
from services.goals.surfaces.models import Surface, SurfaceKind
from services.goals.tests.support import GOALS, StubInternal, make_app

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
MAX_STATEMENTS = 6


def _add(session: Session, rows: list) -> list:
    session.add_all(rows)
    session.flush()
    return rows


def build_tree(session: Session, total: int, metrics: StubInternal) -> int:
    """`total` goals in workspace 1: roots of 1 + 3 means + 3×3 tactical means, cut off at `total`.

    Each means links one KPI and each tactical means two; returns the number of distinct KPIs."""
    surface = _add(
        session, [Surface(workspace_id=1, name="Web", kind=SurfaceKind.website, period_start=date(2026, 1, 1))]
    )[0]
    made, kpi = 0, 0
    while made < total:
        root = _add(
            session, [Goal(workspace_id=1, title=f"Goal {made}", level=GoalLevel.strategic_goal, position=made)]
        )[0]
        made += 1
        for m in range(3):
            if made >= total:
                break
            means = _add(
                session,
                [
                    Goal(
                        workspace_id=1,
                        title=f"Means {made}",
                        level=GoalLevel.strategic_means,
                        parent_id=root.id,
                        position=m,
                    )
                ],
            )[0]
            made += 1
            kpi += 1
            links = [GoalKpi(goal_id=means.id, kpi_id=kpi)]
            tactics = [
                Goal(
                    workspace_id=1,
                    title=f"Tactic {made + t}",
                    level=GoalLevel.tactical_means,
                    parent_id=means.id,
                    position=t,
                )
                for t in range(min(3, total - made))
            ]
            made += len(tactics)
            for tactic in _add(session, tactics):
                links += [GoalKpi(goal_id=tactic.id, kpi_id=kpi + 1), GoalKpi(goal_id=tactic.id, kpi_id=kpi + 2)]
                session.add(GoalSurface(goal_id=tactic.id, surface_id=surface.id))
                kpi += 2
            session.add_all(links)
    for kpi_id in range(1, kpi + 1):
        metrics.add(1, kpi_id, baseline_value=0, target=100, actual=kpi_id % 101)
    session.commit()
    return kpi


def measure(tmp_path, total: int) -> dict[str, int]:
    metrics = StubInternal()
    (tmp_path / str(total)).mkdir()
    with fresh_engine(tmp_path / str(total), GoalsModel.metadata, "goals") as engine:
        with Session(engine) as session:
            kpis = build_tree(session, total, metrics)
        counts = {}
        with TestClient(make_app(engine, metrics)) as client:
            first_root = client.get(GOALS, params={"level": "strategic_goal", "limit": 1}, headers=auth()).json()
            paths = {
                "tree": (f"{GOALS}/tree", {}),
                "list": (GOALS, {}),
                "list_500": (GOALS, {"limit": 500}),
                "goal": (f"{GOALS}/{first_root['data'][0]['id']}", {}),
            }
            for name, (path, params) in paths.items():
                metrics.calls.clear()
                with count_statements(engine) as log:
                    resp = client.get(path, params=params, headers=auth())
                assert resp.status_code == 200, resp.text
                counts[name] = log.count
                counts[f"{name}_metrics_calls"] = len(metrics.calls)
            tree = client.get(f"{GOALS}/tree", headers=auth()).json()
            assert tree["count"] == total and tree["data"][0]["progress"] is not None
        counts["kpis"] = kpis
    return counts


def test_reads_do_not_grow_with_the_number_of_goals(tmp_path):
    small, large = measure(tmp_path, 10), measure(tmp_path, 2000)
    print(f"\nstatements for 10 goals: {small}\nstatements for 2000 goals: {large}")
    for read in ("tree", "list", "list_500", "goal"):
        assert small[read] == large[read], read
        assert large[read] <= MAX_STATEMENTS, (read, large[read])
    assert all(small[f"{read}_metrics_calls"] == 1 for read in ("tree", "list", "list_500", "goal"))
    # 2,000 goals link ~3,200 KPIs: asked for in chunks of 500, never one by one
    assert large["tree_metrics_calls"] == math.ceil(large["kpis"] / 500)
    assert large["goal_metrics_calls"] == 1
    assert large["list_metrics_calls"] <= large["list_500_metrics_calls"] <= large["tree_metrics_calls"]
