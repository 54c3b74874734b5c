"""The goal tree through the live stack: gateway, goals asking metrics over the internal route, API tokens."""

from __future__ import annotations

import pytest

from tests import support

GOALS = "/api/v1/goals"


def post(client, account, path, body=None):
    return client.post(path, json=body, headers=account.headers())


def created(resp) -> dict:
    assert resp.status_code == 201, resp.text
    return resp.json()


def problem(resp, status: int, field: str | None = None) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


def surface(client, account, name: str, kind: str) -> int:
    return created(
        post(client, account, "/api/v1/surfaces", {"name": name, "kind": kind, "period_start": "2026-01-01"})
    )["id"]


def kpi(client, account, name: str, direction: str = "higher_is_better") -> int:
    return created(post(client, account, "/api/v1/kpis", {"name": name, "category": "result", "direction": direction}))[
        "id"
    ]


def goal(client, account, title: str, level: str, parent_id: int | None = None, **extra) -> dict:
    return created(post(client, account, GOALS, {"title": title, "level": level, "parent_id": parent_id, **extra}))


def build_seed_strategy(client, account) -> dict[str, dict]:
    """The seed's example: two strategic goals, brand and customer satisfaction as means, tactical means per surface."""
    s = {
        name: surface(client, account, name, kind)
        for name, kind in [
            ("Website", "website"),
            ("Facebook", "social_media"),
            ("Analytics", "other"),
            ("Intranet", "intranet"),
            ("Customer web", "customer_portal"),
            ("App", "app"),
        ]
    }
    k = {
        name: kpi(client, account, name, d)
        for name, d in [
            ("Revenue", "higher_is_better"),
            ("Service cost", "lower_is_better"),
            ("NPS", "higher_is_better"),
            ("Complaints answered within 4 h", "higher_is_better"),
        ]
    }
    g = {
        "revenue": goal(client, account, "Increase revenue", "strategic_goal", kpis=[{"kpi_id": k["Revenue"]}]),
        "costs": goal(client, account, "Reduce costs", "strategic_goal", kpis=[{"kpi_id": k["Service cost"]}]),
    }
    g["brand"] = goal(client, account, "Brand building", "strategic_means", g["revenue"]["id"], weight=1)
    g["satisfaction"] = goal(
        client,
        account,
        "Customer satisfaction",
        "strategic_means",
        g["revenue"]["id"],
        weight=2,
        kpis=[{"kpi_id": k["NPS"], "weight": 2}],
    )
    g["answer"] = goal(
        client,
        account,
        "Answer complaints on Facebook within 4 h",
        "tactical_means",
        g["satisfaction"]["id"],
        surface_ids=[s["Facebook"]],
        kpis=[{"kpi_id": k["Complaints answered within 4 h"]}],
    )
    g["monitor"] = goal(
        client,
        account,
        "Monitor what customers say",
        "tactical_means",
        g["satisfaction"]["id"],
        surface_ids=[s["Analytics"], s["Facebook"]],
    )
    g["content"] = goal(
        client,
        account,
        "Helpful content on the website",
        "tactical_means",
        g["brand"]["id"],
        surface_ids=[s["Website"]],
    )
    g["selfservice"] = goal(client, account, "Self-service", "strategic_means", g["costs"]["id"])
    g["portal"] = goal(
        client,
        account,
        "Invoices and returns on the customer web",
        "tactical_means",
        g["selfservice"]["id"],
        surface_ids=[s["Customer web"], s["App"]],
    )
    g["intranet"] = goal(
        client, account, "Answers staff can find", "tactical_means", g["selfservice"]["id"], surface_ids=[s["Intranet"]]
    )
    return {"surfaces": s, "kpis": k, "goals": g}


def test_build_the_seed_hierarchy_link_kpis_and_read_progress(client, account):
    built = build_seed_strategy(client, account)
    tree = client.get(f"{GOALS}/tree", headers=account.headers())
    assert tree.status_code == 200, tree.text
    body = tree.json()
    assert body["count"] == 10 and body["kpis_unavailable"] is False
    assert [n["title"] for n in body["data"]] == ["Increase revenue", "Reduce costs"]
    revenue = body["data"][0]
    assert [c["title"] for c in revenue["children"]] == ["Brand building", "Customer satisfaction"]
    answer = revenue["children"][1]["children"][0]
    assert answer["surface_ids"] == [built["surfaces"]["Facebook"]]
    link = answer["kpis"][0]
    # metrics answered over the internal route: the name is there, the KPI has no observations yet
    assert link["name"] == "Complaints answered within 4 h" and link["found"] is True
    assert link["status"] == "not_measured" and link["attainment"] is None
    for node in [revenue, *revenue["children"], answer]:
        assert node["progress"] is None and node["status"] == "not_measured"
    listed = client.get(GOALS, params={"level": "tactical_means"}, headers=account.headers()).json()
    assert listed["count"] == 5 and all(g["status"] == "not_measured" for g in listed["data"])
    detail = client.get(f"{GOALS}/{built['goals']['answer']['id']}", headers=account.headers()).json()
    assert [a["title"] for a in detail["ancestors"]] == ["Increase revenue", "Customer satisfaction"]
    assert (
        client.get(GOALS, params={"surface_id": built["surfaces"]["Facebook"]}, headers=account.headers()).json()[
            "count"
        ]
        == 2
    )


def test_the_kpi_list_filters_by_ids_within_the_workspace(client, account, other_account):
    mine = [kpi(client, account, f"K{i}") for i in range(3)]
    theirs = kpi(client, other_account, "Theirs")
    ids = f"{mine[0]},{mine[2]},{theirs}"
    body = client.get("/api/v1/kpis", params={"ids": ids}, headers=account.headers()).json()
    assert sorted(k["id"] for k in body["data"]) == [mine[0], mine[2]]
    repeated = client.get(f"/api/v1/kpis?ids={mine[1]}&ids={theirs}", headers=account.headers()).json()
    assert [k["id"] for k in repeated["data"]] == [mine[1]]
    problem(client.get("/api/v1/kpis", params={"ids": "1,x"}, headers=account.headers()), 422, "ids.1")
    problem(client.get("/api/v1/kpis", params={"ids": str(2**40)}, headers=account.headers()), 422, "ids.0")
    # an empty list is not "no filter": the client meant some ids and sent none
    problem(client.get("/api/v1/kpis?ids=", headers=account.headers()), 422, "ids.0")
    # PostgreSQL text cannot hold NUL: a search for one is refused as input, not a driver error
    problem(client.get("/api/v1/kpis", params={"q": "a\x00b"}, headers=account.headers()), 422, "q")
    problem(client.get("/api/v1/actions/export.csv", params={"q": "\x00"}, headers=account.headers()), 422, "q")


def test_another_workspace_gets_404_on_every_goal_id(client, account, other_account):
    built = build_seed_strategy(client, account)
    foreign = other_account.headers()
    for g in built["goals"].values():
        gid = g["id"]
        for resp in (
            client.get(f"{GOALS}/{gid}", headers=foreign),
            client.patch(f"{GOALS}/{gid}", json={"title": "stolen"}, headers=foreign),
            client.post(f"{GOALS}/{gid}/move", json={"position": 0}, headers=foreign),
            client.post(f"{GOALS}/{gid}/archive", headers=foreign),
            client.post(f"{GOALS}/{gid}/restore", headers=foreign),
            client.get(f"{GOALS}/{gid}/history", headers=foreign),
            client.post(f"{GOALS}/{gid}/kpis", json={"kpi_id": 1}, headers=foreign),
        ):
            problem(resp, 404)
    missing = client.get(f"{GOALS}/999999999", headers=foreign).json()
    assert client.get(f"{GOALS}/{built['goals']['revenue']['id']}", headers=foreign).json()["title"] == missing["title"]
    assert client.get(f"{GOALS}/tree", headers=foreign).json()["count"] == 0
    assert client.get(GOALS, headers=foreign).json()["count"] == 0
    assert (
        client.get(f"{GOALS}/{built['goals']['revenue']['id']}", headers=account.headers()).json()["title"]
        == "Increase revenue"
    )


def test_linking_another_workspaces_kpi_or_surface_is_422_and_changes_nothing(client, account, other_account):
    built = build_seed_strategy(client, account)
    their_kpi = kpi(client, other_account, "Their KPI")
    their_surface = surface(client, other_account, "Their site", "website")
    means = built["goals"]["brand"]["id"]
    before = client.get(GOALS, params={"archived": "all"}, headers=account.headers()).json()["count"]
    problem(
        post(
            client,
            account,
            GOALS,
            {"title": "T", "level": "tactical_means", "parent_id": means, "surface_ids": [their_surface]},
        ),
        422,
        "surface_ids",
    )
    problem(
        post(
            client,
            account,
            GOALS,
            {
                "title": "G",
                "level": "strategic_goal",
                "kpis": [{"kpi_id": built["kpis"]["NPS"]}, {"kpi_id": their_kpi}],
            },
        ),
        422,
        "kpis.1.kpi_id",
    )
    problem(post(client, account, f"{GOALS}/{means}/kpis", {"kpi_id": their_kpi}), 422, "kpi_id")
    content = built["goals"]["content"]["id"]
    problem(
        client.patch(
            f"{GOALS}/{content}", json={"title": "Changed", "surface_ids": [their_surface]}, headers=account.headers()
        ),
        422,
        "surface_ids",
    )
    assert client.get(GOALS, params={"archived": "all"}, headers=account.headers()).json()["count"] == before
    after = client.get(f"{GOALS}/{content}", headers=account.headers()).json()
    assert after["title"] == "Helpful content on the website" and after["surface_ids"] == [built["surfaces"]["Website"]]
    assert client.get(f"{GOALS}/{means}", headers=account.headers()).json()["kpis"] == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"level": "tactical_means"}, "parent_id"),
        ({"level": "strategic_means"}, "parent_id"),
        ({"level": "strategic_goal", "period_from": "2026-05-01", "period_to": "2026-04-01"}, "period_to"),
        ({"level": "strategic_goal", "period_from": "May"}, "period_from"),
        ({"level": "strategic_goal", "weight": -0.5}, "weight"),
    ],
)
def test_bad_input_is_problem_json_and_stores_nothing(client, account, body, field):
    problem(post(client, account, GOALS, {"title": "Bad", **body}), 422, field)
    assert client.get(GOALS, params={"archived": "all"}, headers=account.headers()).json()["count"] == 0


def test_move_archive_restore_and_history_through_the_gateway(client, account):
    built = build_seed_strategy(client, account)
    g = built["goals"]
    moved = client.post(
        f"{GOALS}/{g['brand']['id']}/move",
        json={"parent_id": g["costs"]["id"], "position": 0},
        headers=account.headers(),
    )
    assert moved.status_code == 200, moved.text
    problem(
        client.post(
            f"{GOALS}/{g['revenue']['id']}/move", json={"parent_id": g["answer"]["id"]}, headers=account.headers()
        ),
        422,
        "parent_id",
    )
    assert client.post(f"{GOALS}/{g['costs']['id']}/archive", headers=account.headers()).json()["archived"] is True
    tree = client.get(f"{GOALS}/tree", headers=account.headers()).json()
    assert [n["title"] for n in tree["data"]] == ["Increase revenue"]
    problem(client.post(f"{GOALS}/{g['brand']['id']}/restore", headers=account.headers()), 422, "parent_id")
    assert client.post(f"{GOALS}/{g['costs']['id']}/restore", headers=account.headers()).status_code == 200
    history = client.get(f"{GOALS}/{g['brand']['id']}/history", headers=account.headers()).json()
    assert [e["action"] for e in history["data"]] == ["restored", "archived", "moved", "created"]
    assert all(e["user_id"] == account.user_id for e in history["data"])


def test_templates_through_the_gateway(client, account):
    surface(client, account, "Website", "website")
    result = created(post(client, account, f"{GOALS}/templates/digital-strategy/instantiate", {}))
    assert any(c["node_key"] == "revenue.brand.website" for c in result["created"]) and result["skipped"]
    saved = created(post(client, account, f"{GOALS}/templates", {"name": "Ours"}))
    keys = [t["key"] for t in client.get(f"{GOALS}/templates", headers=account.headers()).json()["data"]]
    assert keys == ["digital-strategy", saved["key"]]
    stranger = support.make_account()
    problem(client.get(f"{GOALS}/templates/{saved['key']}", headers=stranger.headers()), 404)


def test_metrics_down_reads_still_answer_and_link_changes_are_503(client, account, live):
    built = build_seed_strategy(client, account)
    revenue = built["goals"]["revenue"]["id"]
    support.stop_service(live, "metrics")
    try:
        tree = client.get(f"{GOALS}/tree", headers=account.headers())
        assert tree.status_code == 200, tree.text
        assert tree.json()["kpis_unavailable"] is True
        detail = client.get(f"{GOALS}/{revenue}", headers=account.headers()).json()
        assert detail["status"] == "not_measured" and detail["kpis_unavailable"] is True
        assert detail["kpis"][0]["found"] is False
        resp = post(client, account, f"{GOALS}/{revenue}/kpis", {"kpi_id": built["kpis"]["NPS"]})
        problem(resp, 503)
        assert (
            client.patch(f"{GOALS}/{revenue}", json={"title": "Grow revenue"}, headers=account.headers()).status_code
            == 200
        )
    finally:
        support.start_service(live, "metrics")
    detail = client.get(f"{GOALS}/{revenue}", headers=account.headers()).json()
    assert detail["kpis_unavailable"] is False and [k["kpi_id"] for k in detail["kpis"]] == [built["kpis"]["Revenue"]]


def test_openapi_documents_the_goal_endpoints_and_the_progress_rules(client):
    doc = client.get("/api/openapi.json").json()
    for path in (
        GOALS,
        f"{GOALS}/tree",
        f"{GOALS}/{{goal_id}}",
        f"{GOALS}/{{goal_id}}/move",
        f"{GOALS}/{{goal_id}}/history",
        f"{GOALS}/templates",
        f"{GOALS}/templates/{{key}}/instantiate",
    ):
        assert path in doc["paths"], path
    assert "lower_is_better" in doc["paths"][f"{GOALS}/tree"]["get"]["description"]
