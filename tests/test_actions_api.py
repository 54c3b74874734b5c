"""The action list's API path for a tool with a token: actions made from findings, planned, one marked done,
its window's observations pushed, its effect read. Another workspace gets 404 on every id; a viewer of the
same workspace gets 403 on every write."""

from __future__ import annotations

from datetime import date

from kit.dates import add_months
from kit.testing import check_contract
from tests import support

TODAY = date.today()
DONE = add_months(TODAY.replace(day=1), -4).replace(day=12)  # its three-month window has ended
NOISE = [0.0, 1.5, -1.0, 0.5, -1.5, 1.0, -0.5, 0.8, -0.8, 1.2, -1.2, 0.3, -0.3, 0.9, -0.9, 0.2]


def viewer_token(account: support.Account) -> dict[str, str]:
    """A viewer's token in the account's own workspace."""
    from gateway import tokens
    from gateway.models import ApiTokenCreate
    from kit.roles import Role

    def create(session):
        _, raw = tokens.create_token(
            session=session, workspace_id=account.workspace_id, user_id=account.user_id,
            creator_role=Role.owner, data=ApiTokenCreate(name="viewer", role=Role.viewer),
        )  # fmt: skip
        return raw

    return {"Authorization": f"Bearer {support.gateway_db(create)}"}


def month_values(kpi_id: int, first: date, values: list[float]) -> list[dict]:
    return [
        {"kpi_id": kpi_id, "period": "month", "period_start": add_months(first, n).isoformat(), "value": v}
        for n, v in enumerate(values)
    ]


def setup_measurement(client, h) -> tuple[int, int, int, list[int]]:
    """A monthly web shop, a monthly KPI with a year of history before DONE, an open cycle with two findings."""
    surface = client.post("/api/v1/surfaces", headers=h, json={
        "name": "Web shop", "kind": "web_shop", "cadence": "monthly", "period_start": TODAY.replace(day=1).isoformat(),
    })  # fmt: skip
    assert surface.status_code == 201, surface.text
    sid = surface.json()["id"]
    kpi = client.post("/api/v1/kpis", headers=h, json={
        "name": "Orders", "category": "result", "surface_id": sid, "expected_frequency": "month",
    })  # fmt: skip
    assert kpi.status_code == 201, kpi.text
    kid = kpi.json()["id"]
    first = add_months(DONE.replace(day=1), -12)
    history = month_values(kid, first, [100 + NOISE[n] for n in range(13)])  # up to the month it is done in
    assert client.post("/api/v1/observations/batch", headers=h, json={"observations": history}).status_code == 200
    cycle = client.post("/api/v1/cycles", headers=h, json={"surface_id": sid})
    assert cycle.status_code == 201, cycle.text
    cid = cycle.json()["id"]
    findings = []
    for text, kind in (("Checkout drops mobile users", "technology"), ("Product texts are thin", "content")):
        made = client.post(f"/api/v1/cycles/{cid}/findings", headers=h, json={"text": text, "kpi_id": kid,
                                                                              "change_kind": kind})  # fmt: skip
        assert made.status_code == 201, made.text
        findings.append(made.json()["id"])
    return sid, kid, cid, findings


def test_a_tool_makes_plans_finishes_and_reads_the_effect(client, account, other_account):
    h = account.headers()
    sid, kid, cid, findings = setup_measurement(client, h)
    made = []
    for finding_id, size, hours in ((findings[0], 10, 6), (findings[1], 3, 60)):
        resp = client.post("/api/v1/actions", headers=h, json={
            "title": f"Act on finding {finding_id}", "finding_id": finding_id, "expected_direction": "up",
            "expected_size": size, "effort_hours": hours, "evaluation_periods": 3,
        })  # fmt: skip
        assert resp.status_code == 201, resp.text
        made.append(resp.json())
    first, second = made
    assert (first["kpi_id"], first["surface_id"], first["change_kind"]) == (kid, sid, "technology")
    assert first["quadrant"] == "quick_win" and first["gain_used"] == 4 and second["quadrant"] == "money_pit"
    listed = client.get("/api/v1/actions", headers=h, params={"finding_ids": ",".join(map(str, findings))}).json()
    assert [a["id"] for a in listed["data"]] == [first["id"], second["id"]]  # quick wins first

    period = client.post("/api/v1/periods", headers=h, json={
        "name": "This half", "starts_on": add_months(DONE, -1).isoformat(), "ends_on": TODAY.isoformat(),
        "capacity_hours": 40,
    })  # fmt: skip
    pid = period.json()["id"]
    for action in made:
        assert (
            client.post(f"/api/v1/actions/{action['id']}/plan", headers=h, json={"period_id": pid}).status_code == 200
        )
    plan = client.get(f"/api/v1/periods/{pid}/plan", headers=h).json()
    assert plan["planned_hours"] == 66 and plan["over"] and len(plan["by_status"]["planned"]) == 2
    mine = {"capacity_hours": 40, "people": [{"owner_id": account.user_id, "capacity_hours": 30}]}
    assert client.put(f"/api/v1/periods/{pid}/capacity", headers=h, json=mine).status_code == 200
    owned = client.patch(f"/api/v1/actions/{first['id']}", headers=h, json={"owner_id": account.user_id})
    assert owned.status_code == 200, owned.text
    people = client.get(f"/api/v1/periods/{pid}/plan", headers=h).json()["people"]
    me = next(p for p in people if p["owner_id"] == account.user_id)
    assert me["capacity_hours"] == 30 and me["planned_hours"] == first["effort_hours"] and me["actions"] == 1

    done = client.post(f"/api/v1/actions/{first['id']}/status", headers=h,
                       json={"status": "done", "done_on": DONE.isoformat()})  # fmt: skip
    assert done.status_code == 200, done.text
    early = client.get(f"/api/v1/actions/{first['id']}/effect", headers=h).json()
    assert early["verdict"] == "not_enough_data" and "0 of the 3 periods after completion" in early["reason"]

    window = month_values(kid, add_months(DONE.replace(day=1), 1), [121.0, 124.0, 122.5])
    assert client.post("/api/v1/observations/batch", headers=h, json={"observations": window}).status_code == 200
    evidence = client.get(f"/api/v1/actions/{first['id']}/effect", headers=h).json()
    assert evidence["verdict"] == "confirmed", evidence
    assert evidence["window_observed"] == 3 and 20 < evidence["change"] < 25 and evidence["expected_change"] > 9
    assert [c["id"] for c in evidence["confounders"]] == []  # the other action is not done: its window is unknown
    evaluated = client.post(f"/api/v1/actions/{first['id']}/evaluation", headers=h,
                            json={"verdict": evidence["verdict"], "note": "Orders rose after the fix"})  # fmt: skip
    assert evaluated.status_code == 200 and evaluated.json()["status"] == "evaluated"
    csv = client.get("/api/v1/actions/export.csv", headers=h)
    assert csv.status_code == 200 and csv.text.count("\n") == 3

    foreign = other_account.headers()
    viewer = viewer_token(account)
    for record in (f"/api/v1/actions/{second['id']}", f"/api/v1/actions/{first['id']}/effect"):
        check_contract(
            client, record, owner=h, viewer=viewer, foreign=foreign, missing="/api/v1/actions/2147483647",
            writes=writes(second["id"], pid) if "effect" not in record else [],
            creates=[("POST", "/api/v1/actions", {"title": "x"}), ("PUT", "/api/v1/actions/settings",
                      {"hours_s": 1, "hours_m": 2, "hours_l": 3, "hours_xl": 4})],
        )  # fmt: skip
    check_contract(client, f"/api/v1/periods/{pid}/plan", writes=[], owner=h, viewer=viewer, foreign=foreign)
    capacity = f"/api/v1/periods/{pid}/capacity"
    check_contract(client, capacity, writes=[("PUT", capacity, {"capacity_hours": 1, "people": []})], owner=h,
                   viewer=viewer, foreign=foreign)  # fmt: skip
    for field, body in (
        ("finding_id", {"title": "x", "finding_id": findings[0]}), ("kpi_id", {"title": "x", "kpi_id": kid}),
        ("surface_id", {"title": "x", "surface_id": sid}), ("period_id", {"title": "x", "period_id": pid}),
    ):  # fmt: skip
        resp = client.post("/api/v1/actions", headers=foreign, json=body)
        assert resp.status_code == 422 and field in [e["field"] for e in resp.json()["errors"]], resp.text


def writes(action_id: int, period_id: int) -> list[tuple[str, str, dict]]:
    a = f"/api/v1/actions/{action_id}"
    return [
        ("PATCH", a, {"title": "Theirs"}),
        ("POST", f"{a}/status", {"status": "in_progress"}),
        ("POST", f"{a}/plan", {"period_id": period_id}),
        ("POST", f"{a}/evaluation", {"verdict": "confirmed"}),
    ]
