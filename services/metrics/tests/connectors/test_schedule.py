"""Scheduled runs: each due connector pulled once per slot across workers and the cron; failing twice is told."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker
from sqlmodel import Session, select

from kit import embedded_redis
from kit.queue import queue_name
from kit.roles import Role
from kit.testing import Signed, auth, run_async
from services.metrics.connectors import jobs
from services.metrics.connectors.models import Connector, ConnectorRun, State, Trigger
from services.metrics.connectors.schedule import next_slot, slot_key
from services.metrics.outbox.models import NotificationOutbox
from services.metrics.tests.connectors.helpers import SECRET, URL, add_feed, at, make_connector, make_kpi, pull, values
from services.metrics.tests.connectors.recorded import plausible_query
from services.metrics.tests.connectors.vendor import Answer

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
QUERY = "/api/v2/query"


def test_the_slot_is_the_run_time_in_the_workspace_zone():
    winter = at("2026-01-10T04:00:00")
    assert next_slot(time(6, 0), "Europe/Oslo", winter) == datetime(2026, 1, 10, 5, 0, tzinfo=UTC)
    assert next_slot(time(6, 0), "Europe/Oslo", at("2026-01-10T05:00:00")) == datetime(2026, 1, 11, 5, 0, tzinfo=UTC)
    assert next_slot(time(6, 0), "Europe/Oslo", at("2026-07-10T03:00:00")) == datetime(2026, 7, 10, 4, 0, tzinfo=UTC)
    assert next_slot(time(6, 0), "Nowhere/Else", winter) == datetime(2026, 1, 10, 6, 0, tzinfo=UTC)


def _due_now(engine, connector_id: int, minutes_ago: int = 5) -> datetime:
    slot = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=minutes_ago)
    with Session(engine) as session:
        connector = session.get(Connector, connector_id)
        connector.next_run_at = slot
        session.add(connector)
        session.commit()
    return slot


@pytest.fixture
def redis_url(tmp_path):
    url = embedded_redis.start(tmp_path / "redis")
    yield url
    embedded_redis.stop(force=True)


def test_two_workers_and_the_cron_run_each_connector_once_per_slot(client, engine, vendor, redis_url):
    vendor.on("POST", QUERY, plausible_query)
    made = []
    for n in range(3):
        connector = make_connector(client, "plausible", {"site_id": f"site{n}.example"}, {"api_key": SECRET})
        kpi = make_kpi(client, f"Visits {n}")
        add_feed(client, connector["id"], kpi["id"], "visitors", backfill_days=4)
        made.append((connector["id"], _due_now(engine, connector["id"])))
    paused = make_connector(client, "plausible", {"site_id": "paused.example"}, {"api_key": SECRET})
    _due_now(engine, paused["id"])
    client.patch(f"{URL}/{paused['id']}", json={"paused": True}, headers=auth(Role.admin))

    async def scenario():
        redis = await create_pool(RedisSettings.from_dsn(redis_url))
        ctx = {"redis": redis, "metrics_engine": engine}
        try:
            assert await asyncio.gather(jobs.enqueue_due_connectors(ctx), jobs.enqueue_due_connectors(ctx)) == [3, 3]
            assert await redis.zcard(queue_name("metrics")) == 3  # one job a slot, whoever enqueued it

            async def startup(worker_ctx):
                worker_ctx["metrics_engine"] = engine

            workers = [
                Worker(
                    functions=jobs.FUNCTIONS,
                    queue_name=queue_name("metrics"),
                    redis_settings=RedisSettings.from_dsn(redis_url),
                    burst=True,
                    handle_signals=False,
                    on_startup=startup,
                    poll_delay=0.05,
                )
                for _ in range(2)
            ]
            # the same slots also handed straight to the job, as a worker restarted mid-run would
            direct = [jobs.pull_connector(ctx, cid, slot_key(slot), "schedule") for cid, slot in made]
            await asyncio.gather(*(w.async_run() for w in workers), *direct, jobs.enqueue_due_connectors(ctx))
            for w in workers:
                await w.close()
            assert sum(w.jobs_failed for w in workers) == 0
            assert await jobs.enqueue_due_connectors(ctx) == 0  # the claims moved every slot on
        finally:
            await redis.flushdb()
            await redis.aclose()

    run_async(scenario())
    with Session(engine) as session:
        runs = session.exec(select(ConnectorRun)).all()
        connectors = {c.id: c for c in session.exec(select(Connector)).all()}
    assert sorted((r.connector_id, r.run_key, r.status.value) for r in runs) == sorted(
        (cid, slot_key(slot), "ok") for cid, slot in made
    )
    for cid, _slot in made:
        assert connectors[cid].next_run_at > datetime.now(UTC)
    assert connectors[paused["id"]].state == State.paused and connectors[paused["id"]].last_run_at is None
    assert len(values(engine)) == 3 * 5  # four days of backfill and today, each stored once
    assert len(vendor.seen) == 3  # and each vendor asked once


def test_failing_twice_in_a_row_marks_the_connector_and_tells_its_owner(client, engine, vendor):
    vendor.on("POST", QUERY, Answer(401, {"error": "Invalid API key"}))
    connector = make_connector(client, "plausible", {"site_id": "example.com"}, {"api_key": SECRET})
    kpi = make_kpi(client)
    add_feed(client, connector["id"], kpi["id"], "visitors")
    cid = connector["id"]
    pull(engine, cid, "manual:x")  # a manual run does not count
    first = pull(engine, cid, "schedule:2026-03-09T05:00Z", Trigger.schedule, at("2026-03-09T05:00:01"))
    assert first.status == "failed"
    body = client.get(f"{URL}/{cid}", headers=auth()).json()
    assert (body["state"], body["failures"]) == ("ok", 1)
    assert body["last_error"].startswith("Plausible answered 401")
    pull(engine, cid, "schedule:2026-03-10T05:00Z", Trigger.schedule, at("2026-03-10T05:00:01"))
    body = client.get(f"{URL}/{cid}", headers=auth()).json()
    assert (body["state"], body["failures"]) == ("failing", 2)
    listed = client.get(URL, params={"state": "failing"}, headers=auth()).json()
    assert [c["id"] for c in listed["data"]] == [cid]
    card = client.get("/api/v1/scorecard", headers=auth()).json()
    assert [i["connector_failing"] for i in card["columns"]["result"]] == [True]  # the KPI it feeds shows it
    pull(engine, cid, "schedule:2026-03-11T05:00Z", Trigger.schedule, at("2026-03-11T05:00:01"))
    with Session(engine) as session:
        told = session.exec(select(NotificationOutbox)).all()
    # its owner is told once, through the outbox the notifications read, with a link to the connector
    assert [(t.recipient_id, t.kind, t.link) for t in told] == [(1, "connector_failing", f"/connectors/{cid}")]
    assert told[0].params["error"].startswith("Plausible answered 401") and told[0].params["runs"] == "2"
    vendor.on("POST", QUERY, plausible_query)
    assert pull(engine, cid, "manual:y").status == "ok"
    body = client.get(f"{URL}/{cid}", headers=auth()).json()
    assert (body["state"], body["failures"], body["last_error"]) == ("ok", 0, None)


def test_test_connection_and_preview_store_nothing(client, engine, vendor):
    vendor.on("POST", QUERY, plausible_query)
    probe = {"kind": "plausible", "settings": {"site_id": "example.com"}, "credentials": {"api_key": SECRET}}
    admin = Signed(Role.admin)
    tested = client.post(f"{URL}/test", json=probe, headers=admin)
    assert tested.json() == {"ok": True, "message": "Connected to Plausible: site example.com answers.", "series": []}
    shown = client.post(f"{URL}/preview", json={**probe, "feeds": [{"metric": "visitors"}]}, headers=admin).json()
    assert shown["ok"] is True and len(shown["series"][0]["points"]) == 7
    assert shown["message"] == "Plausible answered 7 values for the last 7 days."
    assert values(engine) == [] and client.get(URL, headers=admin).json()["count"] == 0
    vendor.on("POST", QUERY, Answer(401, {"error": "Invalid API key"}))
    tested = client.post(f"{URL}/test", json=probe, headers=admin).json()
    assert tested["ok"] is False and tested["message"].startswith("Plausible answered 401: the API key is wrong")
    resp = client.post(f"{URL}/preview", json={**probe, "feeds": [{"metric": "nope"}]}, headers=admin)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "feeds.0.metric"
