"""Measurement cycles across services: opened on schedule (goals cron → metrics job, exactly once) and by a tool."""

from __future__ import annotations

import asyncio
import concurrent.futures
from datetime import date, timedelta
from urllib.parse import urlsplit, urlunsplit

from arq.connections import RedisSettings, create_pool
from arq.worker import Worker
from sqlmodel import Session, select

from kit.dates import add_months
from kit.queue import queue_name
from kit.testing import check_contract, fresh_engine
from tests import support

TODAY = date.today()
MONTH = TODAY.replace(day=1)
ANCHOR = add_months(MONTH, -12)  # a quarterly surface whose fourth period has just ended
MY_DB = 12  # a Redis database of this test's own: the live stack's metrics worker must not take its jobs


def run_async(coro):
    """asyncio.run in a thread of its own: the session's Playwright may hold this thread's event loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _own_database(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path if parts.scheme == "unix" else ""
    return urlunsplit((parts.scheme, parts.netloc, path, f"db={MY_DB}", ""))


def _ended() -> tuple[date, date]:
    from services.goals.surfaces.jobs import ended_period

    return ended_period(ANCHOR, "quarterly", TODAY)


async def _clear(redis) -> None:
    keys = [k async for k in redis.scan_iter("arq:*")]
    await redis.delete(queue_name("metrics"), *keys) if keys else await redis.delete(queue_name("metrics"))


def test_the_cron_twice_concurrently_and_the_job_twice_make_one_cycle(tmp_path):
    from kit.embedded_redis import ensure_redis_url
    from services.goals.db import GoalsModel
    from services.goals.surfaces.jobs import schedule_cycles
    from services.goals.surfaces.models import Surface
    from services.metrics.cycles import models as cycle_models  # noqa: F401  (registers the cycle tables)
    from services.metrics.cycles.jobs import open_cycle
    from services.metrics.db import MetricsModel

    url = _own_database(ensure_redis_url())
    with (
        fresh_engine(tmp_path, GoalsModel.metadata, "goals") as goals,
        fresh_engine(tmp_path, MetricsModel.metadata, "metrics") as metrics,
    ):
        with Session(goals) as s:
            s.add(Surface(name="Web shop", kind="web_shop", cadence="quarterly", period_start=ANCHOR, workspace_id=1))
            s.add(Surface(name="Too new", kind="app", cadence="yearly", period_start=TODAY, workspace_id=1))
            s.add(
                Surface(
                    name="Archived", kind="app", cadence="monthly", period_start=ANCHOR, workspace_id=1, archived=True
                )
            )
            s.commit()

        async def scenario():
            redis = await create_pool(RedisSettings.from_dsn(url))
            await _clear(redis)
            ctx = {"redis": redis, "goals_engine": goals}
            try:
                assert await asyncio.gather(schedule_cycles(ctx), schedule_cycles(ctx)) == [1, 1]
                assert await redis.zcard(queue_name("metrics")) == 1  # one job, whoever enqueued it

                async def startup(worker_ctx):
                    worker_ctx["metrics_engine"] = metrics

                worker = Worker(
                    functions=[open_cycle],
                    queue_name=queue_name("metrics"),
                    redis_settings=RedisSettings.from_dsn(url),
                    burst=True,
                    handle_signals=False,
                    on_startup=startup,
                    poll_delay=0.05,
                )
                await worker.async_run()
                await worker.close()
                assert worker.jobs_complete == 1 and worker.jobs_failed == 0
                # the worker restarted, the cron ran again, and the job ran again concurrently: still one cycle
                await schedule_cycles(ctx)
                start, end = _ended()
                args = (1, 1, "Web shop", "quarterly", start.isoformat(), end.isoformat())
                job_ctx = {"metrics_engine": metrics}
                ids = await asyncio.gather(open_cycle(job_ctx, *args), open_cycle(job_ctx, *args))
                assert ids[0] == ids[1]
            finally:
                await _clear(redis)
                await redis.aclose()

        run_async(scenario())
        with Session(metrics) as s:
            rows = s.exec(select(cycle_models.Cycle)).all()
        assert [(c.surface_id, c.surface_name, c.period_start, c.opened_by) for c in rows] == [
            (1, "Web shop", _ended()[0], None)
        ]


# --- through the gateway, as a tool with an API token ------------------------------------------------------


def make_surface(client, account, name: str = "Web shop") -> int:
    resp = client.post(
        "/api/v1/surfaces",
        headers=account.headers(),
        json={"name": name, "kind": "web_shop", "cadence": "quarterly", "period_start": ANCHOR.isoformat()},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def _current() -> tuple[date, date]:
    """The surface's current period: its anchor is twelve months (four quarters) before this month's first."""
    return MONTH, add_months(MONTH, 3) - timedelta(days=1)


def red_kpi(client, account, surface_id: int, period: tuple[date, date]) -> int:
    """Orders of the surface: 20 against a target of 100 in the period (off track)."""
    start, end = period
    resp = client.post(
        "/api/v1/kpis",
        headers=account.headers(),
        json={
            "name": "Orders",
            "category": "result",
            "surface_id": surface_id,
            "baseline_value": 0,
            "aggregation": "mean",
        },
    )  # a level: judged as it is, not on pace
    assert resp.status_code == 201, resp.text
    kpi_id = resp.json()["id"]
    put = client.put(
        f"/api/v1/kpis/{kpi_id}/targets",
        headers=account.headers(),
        json=[{"period_start": start.isoformat(), "period_end": end.isoformat(), "target": 100}],
    )
    assert put.status_code == 200, put.text
    push = client.post(
        "/api/v1/observations/batch",
        headers=account.headers(),
        json={"observations": [{"kpi_id": kpi_id, "period": "month", "period_start": start.isoformat(), "value": 20}]},
    )
    assert push.status_code == 200, push.text
    return kpi_id


def test_a_tool_opens_reviews_closes_and_exports_a_cycle(client, account, other_account):
    surface = make_surface(client, account)
    kpi = red_kpi(client, account, surface, _current())
    h = account.headers()
    # the current period: the cron (which may run any moment in the live stack) only opens ended ones
    opened = client.post("/api/v1/cycles", headers=h, json={"surface_id": surface})
    assert opened.status_code == 201, opened.text
    cycle = opened.json()
    assert (cycle["period_start"], cycle["surface_name"]) == (MONTH.isoformat(), "Web shop")
    item = next(i for i in cycle["items"] if i["kpi_id"] == kpi)
    assert (item["value"], item["target"], item["status"]) == (20.0, 100.0, "off_track")
    again = client.post("/api/v1/cycles", headers=h, json={"surface_id": surface, "period_start": MONTH.isoformat()})
    assert again.status_code == 409 and str(cycle["id"]) in again.json()["detail"]
    url = f"/api/v1/cycles/{cycle['id']}"
    refused = client.post(f"{url}/close", headers=h)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == [f"items.{kpi}.root_cause"]
    assert client.patch(f"{url}/items/{kpi}", headers=h, json={"root_cause": "Campaign paused"}).status_code == 200
    finding = client.post(
        f"{url}/findings", headers=h, json={"text": "Checkout fails on iOS", "kpi_id": kpi, "change_kind": "technology"}
    )
    assert finding.status_code == 201, finding.text
    assert client.post(f"{url}/close", headers=h).json()["status"] == "closed"
    assert client.patch(f"{url}/items/{kpi}", headers=h, json={"note": "late"}).status_code == 409
    csv_text = client.get(f"{url}/export.csv", headers=h)
    assert csv_text.status_code == 200 and "Campaign paused" in csv_text.text
    found = client.get("/api/v1/cycles/findings", headers=h, params={"surface_id": surface}).json()
    assert [f["id"] for f in found["data"]] == [finding.json()["id"]]
    # another workspace's token: 404 on every id, its surface included
    o = other_account.headers()
    for method, path in (
        ("GET", url),
        ("GET", f"{url}/export.csv"),
        ("POST", f"{url}/close"),
        ("GET", f"/api/v1/cycles/compare?ids={cycle['id']}"),
    ):
        assert client.request(method, path, headers=o).status_code == 404, path
    foreign = client.post("/api/v1/cycles", headers=o, json={"surface_id": surface})
    assert foreign.status_code == 404 and "surface_id" in [e["field"] for e in foreign.json()["errors"]]


def test_viewers_read_but_do_not_write_and_the_default_is_the_current_period(client, account):
    surface = make_surface(client, account, "Intranet")
    cycle = client.post("/api/v1/cycles", headers=account.headers(), json={"surface_id": surface}).json()
    assert cycle["period_start"] <= TODAY.isoformat() <= cycle["period_end"]
    viewer = support.viewer_headers(account)
    assert client.get(f"/api/v1/cycles/{cycle['id']}", headers=viewer).status_code == 200
    assert cycle["id"] in [c["id"] for c in client.get("/api/v1/cycles", headers=viewer).json()["data"]]


def test_the_live_workers_open_a_due_cycle_on_schedule(client, account, live):
    """The goals cron's job reaches the running metrics worker, which opens the cycle in the metrics database."""
    import time

    from effekt.registry import PARTS
    from kit.db import make_engine
    from kit.embedded_redis import ensure_redis_url
    from services.goals.surfaces.jobs import schedule_cycles

    surface = make_surface(client, account, "Newsletter")
    red_kpi(client, account, surface, _ended())
    goals = make_engine(PARTS["goals"].database_url())

    async def run():
        redis = await create_pool(RedisSettings.from_dsn(ensure_redis_url()))
        try:
            return await schedule_cycles({"redis": redis, "goals_engine": goals})
        finally:
            await redis.aclose()

    try:
        assert run_async(run()) >= 1
    finally:
        goals.dispose()
    deadline = time.monotonic() + 20
    rows = []
    while time.monotonic() < deadline and not rows:
        rows = client.get("/api/v1/cycles", headers=account.headers(), params={"surface_id": surface}).json()["data"]
        time.sleep(0.2)
    # (the live goals worker's own startup run may have opened it first: the same single cycle)
    assert [(c["period_start"], c["opened_by"]) for c in rows] == [(_ended()[0].isoformat(), None)]


def test_findings_answer_only_in_their_own_cycle_and_workspace(client, account, other_account):
    surface = make_surface(client, account)
    red_kpi(client, account, surface, _current())
    h = account.headers()
    first = client.post("/api/v1/cycles", headers=h, json={"surface_id": surface}).json()
    finding = client.post(
        f"/api/v1/cycles/{first['id']}/findings", headers=h, json={"text": "Slow checkout", "change_kind": "technology"}
    )
    assert finding.status_code == 201, finding.text
    path = f"/api/v1/cycles/{first['id']}/findings/{finding.json()['id']}"
    cycle = f"/api/v1/cycles/{first['id']}"
    check_contract(
        client,
        cycle,
        writes=[("PATCH", path, {"text": "Mine now"}), ("DELETE", path), ("POST", f"{cycle}/close")],
        creates=[
            ("POST", f"{cycle}/findings", {"text": "x", "change_kind": "content"}),
            ("POST", "/api/v1/cycles", {"surface_id": surface}),
        ],
        owner=h,
        viewer=support.viewer_headers(account),
        foreign=other_account.headers(),
        missing="/api/v1/cycles/999999999",
    )
    second = client.post("/api/v1/cycles", headers=h, json={"surface_id": make_surface(client, account, "App")})
    assert second.status_code == 201, second.text
    elsewhere = f"/api/v1/cycles/{second.json()['id']}/findings/{finding.json()['id']}"
    assert client.patch(elsewhere, headers=h, json={"text": "moved"}).status_code == 404  # not this cycle's
    kept = client.get(f"/api/v1/cycles/{first['id']}", headers=h).json()["findings"]
    assert [(f["id"], f["text"]) for f in kept] == [(finding.json()["id"], "Slow checkout")]
