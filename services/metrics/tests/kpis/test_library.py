"""The library of common KPIs: the presets, and a KPI made from one (over HTTP and directly)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from kit.errors import NotFound
from kit.roles import Role
from kit.testing import auth, problem
from services.metrics.kpis import library, service

URL = "/api/v1/kpis"

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_library_lists_presets_with_stable_keys(client):
    resp = client.get(f"{URL}/library", headers=auth(Role.viewer))
    assert resp.status_code == 200, resp.text
    presets = {p["key"]: p for p in resp.json()}
    assert set(presets) == {
        "visits",
        "conversion_rate",
        "bounce_rate",
        "revenue",
        "cost",
        "hours_spent",
        "articles_published",
        "campaigns_run",
        "nps",
        "csat",
        "complaints",
        "time_to_answer",
    }
    bounce = presets["bounce_rate"]
    assert (bounce["unit"], bounce["direction"], bounce["aggregation"]) == ("percent", "lower_is_better", "mean")
    assert presets["nps"]["aggregation"] == "last" and presets["revenue"]["currency_code"] == "EUR"
    assert (presets["complaints"]["direction"], presets["complaints"]["aggregation"]) == ("lower_is_better", "sum")
    assert {p["category"] for p in presets.values()} == {"input", "activity", "result"}
    assert set(bounce) == {
        "key",
        "name",
        "description",
        "unit",
        "currency_code",
        "direction",
        "aggregation",
        "category",
        "expected_frequency",
        "threshold_mode",
        "amber_threshold",
        "red_threshold",
    }


def test_create_from_a_preset_with_overrides(client):
    made = client.post(
        f"{URL}/library/revenue",
        json={"name": "Web shop revenue", "surface_id": 3, "owner_id": 4, "currency_code": "nok"},
        headers=auth(),
    )
    assert made.status_code == 201, made.text
    kpi = made.json()
    assert (kpi["name"], kpi["unit"], kpi["currency_code"], kpi["surface_id"], kpi["owner_id"]) == (
        "Web shop revenue",
        "currency",
        "NOK",
        3,
        4,
    )
    plain = client.post(f"{URL}/library/bounce_rate", headers=auth())
    assert plain.status_code == 201 and plain.json()["name"] == "Bounce rate"
    assert plain.json()["expected_frequency"] == "day" and plain.json()["direction"] == "lower_is_better"
    problem(client.post(f"{URL}/library/bounce_rate", headers=auth()), 409, "name")
    problem(client.post(f"{URL}/library/nothing", headers=auth()), 404)
    problem(client.post(f"{URL}/library/visits", headers=auth(Role.viewer)), 403)
    problem(client.post(f"{URL}/library/visits", json={"owner_id": "me"}, headers=auth()), 422, "owner_id")
    assert client.get(URL, headers=auth()).json()["count"] == 2


def test_presets_are_valid_kpis(engine):  # noqa: F811
    with Session(engine) as session:
        for preset in library.presets():
            kpi = library.create_from_preset(
                session=session, workspace_id=1, key=preset.key, data=library.KpiFromPreset()
            )
            assert (kpi.name, kpi.unit, kpi.direction) == (preset.name, preset.unit, preset.direction)
        assert service.list_kpis(session=session, workspace_id=1)[1] == len(library.PRESETS)
        with pytest.raises(NotFound):
            library.create_from_preset(session=session, workspace_id=1, key="unknown", data=library.KpiFromPreset())


def test_library_is_not_taken_for_a_kpi_id(client):  # noqa: F811
    assert client.get(f"{URL}/library", headers=auth()).status_code == 200
    problem(client.get(f"{URL}/12345", headers=auth()), 404)
