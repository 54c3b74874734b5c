"""File imports through the HTTP API of the metrics service, with the job run in the test."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from kit.roles import Role
from kit.testing import auth, check_contract, problem
from services.metrics.imports import routes as routes_imports
from services.metrics.imports.jobs import run_import_sync
from services.metrics.imports.models import ImportStatus, ObservationImport
from services.metrics.observations.models import Observation
from services.metrics.tests.factories import make_kpi

URL = "/api/v1/imports"
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
GOOD = "kpi;period;date;value\nVisits;day;2026-03-02;10\nVisits;week;2026-03-02;70,5\nVisits;month;2026-03-01;300\n"


@pytest.fixture(autouse=True)
def queued(monkeypatch):  # autouse: no client of these tests may reach Redis
    """The runs the routes queue, instead of Redis."""
    runs: list[tuple[int, int]] = []

    async def fake(request, import_id, attempt, created):
        runs.append((import_id, attempt))

    monkeypatch.setattr(routes_imports, "enqueue", fake)
    return runs


def upload(client, text: str | bytes, name: str = "data.csv", headers: dict | None = None):
    body = text.encode() if isinstance(text, str) else text
    return client.post(URL, files={"file": (name, io.BytesIO(body), "text/csv")}, headers=headers or auth())


def uploaded(client, text: str | bytes, name: str = "data.csv") -> dict:
    resp = upload(client, text, name)
    assert resp.status_code == 201, resp.text
    return resp.json()


def run(client, engine, record: dict, mapping: dict | None = None, **flags) -> dict:  # noqa: F811
    mapping = {**(mapping or record["suggested"]), **flags}
    resp = client.post(f"{URL}/{record['id']}/run", json={"mapping": mapping}, headers=auth())
    assert resp.status_code == 202, resp.text
    body = resp.json()
    run_import_sync(engine, body["id"], _attempt(engine, body["id"]))
    return client.get(f"{URL}/{record['id']}", headers=auth()).json()


def _attempt(engine, import_id: int) -> int:  # noqa: F811
    with Session(engine) as session:
        return session.get(ObservationImport, import_id).attempt


def stored(engine) -> list[tuple]:  # noqa: F811
    with Session(engine) as session:
        rows = session.exec(select(Observation)).all()
        return sorted((o.kpi_id, o.period.value, o.period_start, o.value, o.source.value) for o in rows)


def test_upload_suggests_a_mapping_and_shows_the_first_lines(client):
    record = uploaded(client, "\ufeffKPI;Period;Dato;Verdi\n" + GOOD.split("\n", 1)[1])
    assert record["columns"] == ["KPI", "Period", "Dato", "Verdi"]
    assert record["preview"][1] == ["Visits", "week", "2026-03-02", "70,5"]
    assert record["suggested"]["columns"] == ["kpi_name", "period", "period_start", "value"]
    assert record["status"] == "uploaded" and record["file_format"] == "csv"


def test_import_stores_values_and_running_again_duplicates_nothing(client, engine, queued):  # noqa: F811
    kpi = make_kpi(client)
    record = uploaded(client, GOOD)
    done = run(client, engine, record)
    assert queued == [(record["id"], 1)]
    assert (done["status"], done["rows_total"], done["rows_done"], done["created"], done["replaced"]) == (
        "done",
        3,
        3,
        3,
        0,
    )
    expected = [
        (kpi["id"], "day", date(2026, 3, 2), 10.0, "import"),
        (kpi["id"], "month", date(2026, 3, 1), 300.0, "import"),
        (kpi["id"], "week", date(2026, 3, 2), 70.5, "import"),
    ]
    assert stored(engine) == expected
    again = run(client, engine, record)
    assert (again["status"], again["created"], again["replaced"]) == ("done", 0, 3)
    assert stored(engine) == expected


def test_one_bad_line_stores_nothing_and_reports_every_bad_line(client, engine):  # noqa: F811
    make_kpi(client)
    make_kpi(client, name="Old")
    text = GOOD + (
        "Nope;day;2026-03-03;1\nVisits;week;2026-03-04;1\nVisits;day;03/2026;1\nVisits;day;2026-03-05;ten\n"
        "Visits;day;2026-03-06;\nVisits;year;2026-01-01;1\nVisits;day;2026-03-02;11\n"
    )
    record = uploaded(client, text)
    result = run(client, engine, record)
    assert result["status"] == "failed_validation" and result["bad_lines"] == 7 and result["rows_done"] == 0
    assert stored(engine) == []
    report = client.get(f"{URL}/{record['id']}/problems", headers=auth()).json()
    lines = {p["line"]: p["reason"] for p in report["data"]}
    assert sorted(lines) == [5, 6, 7, 8, 9, 10, 11]
    assert "no KPI named 'Nope'" in lines[5] and "Monday" in lines[6] and "not a date" in lines[7]
    assert "not a number" in lines[8] and "missing" in lines[9] and "not a period" in lines[10]
    assert "earlier line" in lines[11]
    page = client.get(f"{URL}/{record['id']}/problems", params={"limit": 2, "offset": 2}, headers=auth()).json()
    assert page["count"] == 7 and [p["line"] for p in page["data"]] == [7, 8]


def test_store_good_lines_stores_them_and_reports_the_bad(client, engine):  # noqa: F811
    make_kpi(client)
    record = uploaded(client, GOOD + "Visits;day;2026-13-01;1\n")
    result = run(client, engine, record, store_good=True)
    assert (result["status"], result["bad_lines"], result["created"]) == ("done", 1, 3)
    assert len(stored(engine)) == 3


@pytest.mark.parametrize("store_good", [False, True])
def test_chunks_new_and_known_keys_and_repeats_across_chunks(client, engine, monkeypatch, store_good):  # noqa: F811
    monkeypatch.setattr("services.metrics.imports.jobs.CHUNK", {"postgresql": 2, "sqlite": 2})
    visits, other = make_kpi(client)["id"], make_kpi(client, name="Other")["id"]
    with Session(engine) as session:  # one key is stored already: its chunk is upserted, the others copied
        session.add(
            Observation(
                workspace_id=1, kpi_id=other, period="day", period_start=date(2026, 3, 3), value=1, source="import"
            )
        )
        session.commit()
    known = 1
    days = [f"2026-03-0{d}" for d in range(1, 7)]
    text = "kpi;period;date;value;note\n" + "".join(
        f"{name};day;{day};{i}.5;n{i}\n" for i, day in enumerate(days) for name in ("Other", "Visits")
    )
    record = uploaded(client, text + ("Visits;day;2026-03-01;9\n" if store_good else ""))
    result = run(client, engine, record, store_good=store_good)
    assert (result["status"], result["rows_total"], result["rows_done"]) == ("done", 12 + store_good, 12)
    assert (result["created"], result["replaced"], result["bad_lines"]) == (12 - known, known, int(store_good))
    assert stored(engine) == sorted(
        [
            (kpi, "day", date.fromisoformat(day), i + 0.5, "import")
            for i, day in enumerate(days)
            for kpi in (visits, other)
        ]
    )


def test_derived_and_archived_kpis_take_no_lines(client, engine):  # noqa: F811
    kpi = make_kpi(client, name="Gone")
    client.post(f"/api/v1/kpis/{kpi['id']}/archive", headers=auth())
    with Session(engine) as session:
        archived = session.exec(select(Observation)).all()
    assert archived == []
    record = uploaded(client, f"kpi_id,period,period_start,value\n{kpi['id']},day,2026-03-02,1\n999,day,2026-03-02,1\n")
    assert record["suggested"]["columns"] == ["kpi_id", "period", "period_start", "value"]
    result = run(client, engine, record)
    reasons = [p["reason"] for p in client.get(f"{URL}/{record['id']}/problems", headers=auth()).json()["data"]]
    assert result["status"] == "failed_validation" and "no KPI 999" in reasons[-1]


def test_fixed_period_and_kpi_decimal_commas_and_nordic_dates(client, engine):  # noqa: F811
    kpi = make_kpi(client)
    record = uploaded(client, 'Dato;Verdi\n01.03.2026;"1 234,5"\n01.04.2026;2\n')
    mapping = {"columns": ["period_start", "value"], "period": "month", "kpi_id": kpi["id"]}
    result = run(client, engine, record, mapping)
    assert result["status"] == "done", result
    assert stored(engine) == [
        (kpi["id"], "month", date(2026, 3, 1), 1234.5, "import"),
        (kpi["id"], "month", date(2026, 4, 1), 2.0, "import"),
    ]


def test_xlsx_is_read_with_its_dates_and_numbers(client, engine):  # noqa: F811
    from openpyxl import Workbook

    kpi = make_kpi(client)
    book = Workbook()
    sheet = book.active
    sheet.append(["KPI", "Date", "Value"])
    sheet.append(["visits", date(2026, 3, 2), 12.5])
    sheet.append([None, None, None])
    sheet.append(["Visits", date(2026, 3, 3), "x"])
    out = io.BytesIO()
    book.save(out)
    record = uploaded(client, out.getvalue(), "data.xlsx")
    assert record["file_format"] == "xlsx" and record["preview"][0] == ["visits", "2026-03-02", "12.5"]
    result = run(client, engine, record, store_good=True)
    report = client.get(f"{URL}/{record['id']}/problems", headers=auth()).json()["data"]
    assert result["created"] == 1 and [p["line"] for p in report] == [4]
    assert stored(engine) == [(kpi["id"], "day", date(2026, 3, 2), 12.5, "import")]


@pytest.mark.parametrize(
    "mapping, field",
    [
        ({"columns": ["kpi_name", "period", "period_start"]}, "mapping.columns"),
        ({"columns": ["kpi_name", "period", "value", "value"]}, "mapping.columns.3"),
        ({"columns": ["ignore", "period", "period_start", "value"]}, "mapping.kpi_id"),
        ({"columns": ["kpi_name", "ignore", "period_start", "value"]}, "mapping.period"),
        ({"columns": ["ignore", "period", "period_start", "value"], "kpi_id": 4242}, "mapping.kpi_id"),
        ({"columns": ["kpi_name", "period", "period_start", "sum"]}, "mapping.columns.3"),
    ],
)
def test_bad_mapping_is_422_naming_the_field(client, mapping, field):
    record = uploaded(client, GOOD)
    problem(
        client.put(f"{URL}/{record['id']}/mapping", json=mapping, headers=auth()), 422, field.removeprefix("mapping.")
    )
    problem(client.post(f"{URL}/{record['id']}/run", json={"mapping": mapping}, headers=auth()), 422, field)


def test_unreadable_or_empty_files_are_refused(client, monkeypatch):
    problem(upload(client, b""), 422, "file")
    problem(upload(client, b"PK\x03\x04 broken", "x.xlsx"), 422, "file")
    monkeypatch.setattr("services.metrics.imports.limits.MAX_FILE_BYTES", 10)
    problem(upload(client, GOOD), 413, "file")


def test_imports_keep_the_scoping_contract(client):
    record = uploaded(client, GOOD)
    path = f"{URL}/{record['id']}"
    check_contract(
        client,
        path,
        writes=[
            ("PUT", f"{path}/mapping", record["suggested"]),
            ("POST", f"{path}/run", {"mapping": record["suggested"]}),
            ("DELETE", path),
        ],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(workspace_id=2),
        missing=f"{URL}/999999",
    )
    problem(client.get(f"{path}/problems", headers=auth(workspace_id=2)), 404)
    assert client.get(URL, headers=auth(workspace_id=2)).json()["count"] == 0
    problem(upload(client, GOOD, headers=auth(Role.viewer)), 403)
    problem(client.post(URL, files={"file": ("data.csv", io.BytesIO(GOOD.encode()), "text/csv")}), 401)
    assert client.get(URL, headers=auth(Role.viewer)).json()["count"] == 1


def test_a_running_import_cannot_start_twice_but_an_interrupted_one_resumes(client, engine, queued):  # noqa: F811
    make_kpi(client)
    record = uploaded(client, GOOD)
    first = client.post(f"{URL}/{record['id']}/run", json={"mapping": record["suggested"]}, headers=auth())
    assert first.json()["status"] == "queued"
    problem(client.post(f"{URL}/{record['id']}/run", json={}, headers=auth()), 409)
    with Session(engine) as session:  # a worker died while storing, after the first value
        row = session.get(ObservationImport, record["id"])
        row.status, row.rows_done, row.created, row.updated_at = (
            ImportStatus.storing,
            1,
            1,
            datetime(2020, 1, 1, tzinfo=UTC),
        )
        session.add(row)
        session.commit()
    assert client.get(f"{URL}/{record['id']}", headers=auth()).json()["interrupted"] is True
    again = client.post(f"{URL}/{record['id']}/run", json={}, headers=auth()).json()
    assert again["status"] == "queued" and again["rows_done"] == 1
    assert run_import_sync(engine, record["id"], 1) == "skipped"  # the superseded run does nothing
    assert run_import_sync(engine, record["id"], 2) == "done"
    final = client.get(f"{URL}/{record['id']}", headers=auth()).json()
    assert (final["rows_done"], final["created"]) == (3, 3), final
    assert len(stored(engine)) == 2  # the first value was "stored" by the run that died: resumed after it
    assert queued[-1] == (record["id"], 2)


def test_notes_sources_and_odd_files_round_trip(client, engine):  # noqa: F811
    kpi = make_kpi(client, name="Kostnad")
    text = (
        "kpi,period,period_start,value,source,note,extra\n"
        'kostnad,month,2026-03-01,"1,234.5",api,"tab\there, line\nbreak, back\\\\slash",x\n'
        "Kostnad,m,2026-04-01,2,,,\n"
        "Kostnad,måned,2026-05-01,3,IMPORT,plain\n"
    ).encode("cp1252", errors="replace")
    record = uploaded(client, text)
    assert record["suggested"]["columns"] == ["kpi_name", "period", "period_start", "value", "source", "note", "ignore"]
    result = run(client, engine, record)
    assert result["status"] == "done", client.get(f"{URL}/{record['id']}/problems", headers=auth()).json()
    with Session(engine) as session:
        rows = sorted(session.exec(select(Observation)).all(), key=lambda o: o.period_start)
    assert [(o.kpi_id, o.value, o.source.value, o.note) for o in rows] == [
        (kpi["id"], 1234.5, "api", "tab\there, line\nbreak, back\\\\slash"),
        (kpi["id"], 2.0, "import", None),
        (kpi["id"], 3.0, "import", "plain"),
    ]


def test_garbage_is_a_report_not_a_crash(client, engine):  # noqa: F811
    make_kpi(client)
    record = uploaded(client, b"a,b\n\x00\xff\xfe,\x01\n,,\n")
    mapping = {"columns": ["period_start", "value"], "period": "day", "kpi_id": None}
    problem(client.post(f"{URL}/{record['id']}/run", json={"mapping": mapping}, headers=auth()), 422, "mapping.kpi_id")
    kpi_id = make_kpi(client, name="Other")["id"]
    result = run(client, engine, record, {**mapping, "kpi_id": kpi_id})
    assert result["status"] == "failed_validation" and result["bad_lines"] == 1


def test_a_file_cannot_claim_a_source_that_fills_kpis_by_itself(client, engine):  # noqa: F811
    make_kpi(client)
    record = uploaded(client, "kpi;period;date;value;source\nVisits;day;2026-03-02;10;activity\n")
    result = run(client, engine, record)
    assert result["status"] == "failed_validation"
    report = client.get(f"{URL}/{record['id']}/problems", headers=auth()).json()["data"]
    assert [(p["line"], p["column"]) for p in report] == [(2, "source")]
    assert "is not a source" in report[0]["reason"]
