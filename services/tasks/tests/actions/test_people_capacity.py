"""Per-person capacity in a planning period: each owner's planned effort against their own hours, the people
over, and the capacity API (replace, 422 naming the field, 404 for another workspace, 403 for a viewer)."""

from __future__ import annotations

import pytest

from kit.errors import Invalid, NotFound
from kit.roles import Role
from kit.testing import auth, problem
from services.tasks.actions import planning
from services.tasks.actions.models import ActionStatus
from services.tasks.periods import service as periods
from services.tasks.periods.models import CapacityIn, PersonCapacity
from services.tasks.tests.actions.helpers import make, move, period

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
ANNA, BO, CAI = 11, 12, 13


def people(session, period_id: int, team: float | None = 40, workspace_id: int = 1, **hours: float):
    ids = {"anna": ANNA, "bo": BO, "cai": CAI}
    data = CapacityIn(
        capacity_hours=team, people=[PersonCapacity(owner_id=ids[k], capacity_hours=v) for k, v in hours.items()]
    )
    return periods.set_capacity(session=session, workspace_id=workspace_id, period_id=period_id, data=data)


def test_each_owner_against_their_own_hours(session, records):
    q1, q2 = period(session, capacity=40), period(session, name="Q2")
    make(session, records, effort_hours=12, period_id=q1.id, status="planned", owner_id=ANNA)
    make(session, records, effort_hours=10, period_id=q1.id, status="planned", owner_id=ANNA)
    make(session, records, period_id=q1.id, status="planned", owner_id=ANNA)  # not estimated
    make(session, records, effort_hours=5, period_id=q1.id, status="planned", owner_id=BO)
    make(session, records, effort_hours=3, period_id=q1.id, status="planned")  # nobody's yet
    make(session, records, effort_hours=50, period_id=q2.id, status="planned", owner_id=ANNA)  # another period
    dropped = make(session, records, effort_hours=100, period_id=q1.id, status="planned", owner_id=BO)
    move(session, dropped, ActionStatus.dropped, reason="no")
    people(session, q1.id, anna=20, bo=16, cai=8)

    loads = {p.owner_id: p for p in planning.people_loads(session=session, period=q1)}
    assert set(loads) == {ANNA, BO, CAI, None}
    anna, bo, cai, nobody = loads[ANNA], loads[BO], loads[CAI], loads[None]
    assert anna.planned_hours == 22 and anna.over and anna.remaining_hours == -2 and anna.unestimated == 1
    assert anna.actions == 3 and anna.share == pytest.approx(1.1)
    assert bo.planned_hours == 5 and not bo.over and bo.remaining_hours == 11  # the dropped 100 h do not count
    assert cai.planned_hours == 0 and cai.actions == 0 and cai.share == 0
    assert nobody.capacity_hours is None and nobody.planned_hours == 3 and not nobody.over
    order = [p.owner_id for p in planning.people_loads(session=session, period=q1)]
    assert order == [ANNA, BO, CAI, None]  # the most loaded first, the unowned last
    team = planning.loads(session=session, workspace_id=1)
    assert team[q1.id].people_over == 1 and not team[q1.id].over and team[q1.id].planned_hours == 30
    assert team[q2.id].people_over == 0  # Anna has no hours of her own in Q2: nobody is over there
    plan = planning.period_plan(session=session, period=q1, actions=[])
    assert plan.people_over == 1 and [p.owner_id for p in plan.people] == order


def test_setting_replaces_the_people_and_checks_them(session, records):
    q = period(session, capacity=40)
    people(session, q.id, anna=20, bo=16)
    found = people(session, q.id, team=30, bo=10)
    assert found.capacity_hours == 30 and [(p.owner_id, p.capacity_hours) for p in found.people] == [(BO, 10)]
    with pytest.raises(Invalid) as exc:
        twice = [PersonCapacity(owner_id=ANNA, capacity_hours=1), PersonCapacity(owner_id=ANNA, capacity_hours=2)]
        periods.set_capacity(session=session, workspace_id=1, period_id=q.id, data=CapacityIn(people=twice))
    assert exc.value.errors[0]["field"] == "people.1.owner_id"
    with pytest.raises(NotFound):
        people(session, q.id, workspace_id=2, anna=5)
    assert periods.people_capacity(session=session, workspace_id=1, period_id=q.id) == {BO: 10}


def test_the_capacity_api(client):
    q = client.post("/api/v1/periods", json={"name": "Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"},
                    headers=auth()).json()  # fmt: skip
    url = f"/api/v1/periods/{q['id']}/capacity"
    assert client.get(url, headers=auth()).json() == {"period_id": q["id"], "capacity_hours": None, "people": []}
    body = {"capacity_hours": 40, "people": [{"owner_id": ANNA, "capacity_hours": 6}]}
    put = client.put(url, json=body, headers=auth())
    assert put.status_code == 200, put.text
    assert put.json()["people"] == body["people"]
    made = client.post("/api/v1/actions", json={"title": "Checkout", "effort_hours": 8, "owner_id": ANNA,
                                                "period_id": q["id"], "status": "planned"}, headers=auth())  # fmt: skip
    assert made.status_code == 201, made.text
    plan = client.get(f"/api/v1/periods/{q['id']}/plan", headers=auth()).json()
    assert plan["people_over"] == 1 and plan["people"][0] == {
        "owner_id": ANNA, "capacity_hours": 6, "planned_hours": 8, "actions": 1, "unestimated": 0,
        "remaining_hours": -2, "over": True, "share": pytest.approx(8 / 6),
    }  # fmt: skip
    assert client.get("/api/v1/actions/capacity", headers=auth()).json()[0]["people_over"] == 1
    for bad, field in (
        ({"people": [{"owner_id": ANNA, "capacity_hours": -1}]}, "people.0.capacity_hours"),
        ({"people": [{"owner_id": 0, "capacity_hours": 1}]}, "people.0.owner_id"),
        ({"people": [{"owner_id": ANNA, "capacity_hours": 1}, {"owner_id": ANNA, "capacity_hours": 2}]},
         "people.1.owner_id"),
        ({"capacity_hours": "lots"}, "capacity_hours"),
        ({"people": [], "extra": 1}, "extra"),
    ):  # fmt: skip
        problem(client.put(url, json=bad, headers=auth()), 422, field)
    assert client.get(url, headers=auth()).json()["people"] == body["people"]  # nothing half-written
    problem(client.get(url, headers=auth(workspace_id=2)), 404)
    problem(client.put(url, json=body, headers=auth(workspace_id=2)), 404)
    problem(client.put(url, json=body, headers=auth(role=Role.viewer)), 403)
