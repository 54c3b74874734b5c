"""KPIs fed by Effekt's own work, across two services and a real Redis: the tasks worker's cron publishes the
activity figures on the metrics queue, the metrics worker fills the KPIs that take them, and every period's
value arrives exactly once (concurrent crons, a repeated delivery and an unchanged figure send nothing twice)."""

from __future__ import annotations

from datetime import date

import pytest
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker
from sqlmodel import Session, select

import services.metrics.models  # noqa: F401
from kit import embedded_redis
from kit.fields import utcnow
from kit.queue import queue_name
from kit.testing import fresh_engine, run_async
from services.metrics.activity import jobs as metrics_jobs
from services.metrics.activity import service as activity
from services.metrics.activity.models import ActivityFigure, ActivityMeasure
from services.metrics.db import MetricsModel
from services.metrics.kpis import service as kpis
from services.metrics.kpis.models import KpiCreate
from services.metrics.observations.models import Observation
from services.tasks.activity import jobs as tasks_jobs
from services.tasks.models import metadata as tasks_metadata
from services.tasks.tasks import service as tasks
from services.tasks.tests.activity.test_activity import finish
from services.tasks.tests.workflow_support import ANNA, PUBLISH, blog_template, start_blog, task

JUNE = date(2026, 6, 1)


@pytest.fixture
def engines(tmp_path):
    with (
        fresh_engine(tmp_path, tasks_metadata, "tasks") as t,
        fresh_engine(tmp_path, MetricsModel.metadata, "metrics") as m,
    ):
        yield t, m


@pytest.fixture
def redis_url(tmp_path):
    url = embedded_redis.start(tmp_path / "redis")
    yield url
    embedded_redis.stop(force=True)


def observations(engine, kpi_id: int) -> list[tuple]:
    with Session(engine) as session:
        rows = session.exec(select(Observation).where(Observation.kpi_id == kpi_id)).all()
        return sorted((o.period_start, o.value, o.source.value) for o in rows)


def test_activity_arrives_exactly_once_per_period_and_value(engines, redis_url):
    tasks_engine, metrics_engine = engines
    with Session(tasks_engine, expire_on_commit=False) as session:
        template = blog_template(session)
        _, run = start_blog(session, PUBLISH, template=template)
        finish(session, run)
        draft = task(session, run, "draft")
        tasks.log_time(session=session, task=draft, user_id=ANNA, hours=3, day=date(2026, 6, 15), note=None)
        session.commit()
    with Session(metrics_engine) as session:
        ids = {}
        for name, measure, template_id in (
            ("Articles published", ActivityMeasure.runs_finished, template.id),
            ("Hours spent on content", ActivityMeasure.hours_logged, template.id),
        ):
            kpi = kpis.create_kpi(session=session, workspace_id=1, data=KpiCreate(name=name, category="activity"))
            activity.link(session=session, workspace_id=1, kpi_id=kpi.id, measure=measure, template_id=template_id)
            ids[name] = kpi.id
        session.commit()

    async def scenario():
        redis = await create_pool(RedisSettings.from_dsn(redis_url))
        ctx = {"redis": redis, "tasks_engine": tasks_engine}

        async def drain() -> Worker:
            async def startup(worker_ctx):
                worker_ctx["metrics_engine"] = metrics_engine

            worker = Worker(
                functions=[metrics_jobs.record_activity],
                queue_name=queue_name("metrics"),
                redis_settings=RedisSettings.from_dsn(redis_url),
                burst=True,
                handle_signals=False,
                on_startup=startup,
                poll_delay=0.05,
            )
            await worker.async_run()
            await worker.close()
            assert worker.jobs_failed == 0
            return worker

        try:
            first = await tasks_jobs.publish_activity(ctx)
            assert first > 0
            queued = await redis.zcard(queue_name("metrics"))
            assert queued == first  # one job a change
            again = await tasks_jobs.publish_activity(ctx)
            assert again == 0  # nothing changed: nothing sent
            worker = await drain()
            assert worker.jobs_complete == first
            # a delivery repeated (a worker restarted mid-job) changes nothing
            with Session(metrics_engine) as session:
                fig = session.get(ActivityFigure, (1, ActivityMeasure.runs_finished, template.id, JUNE))
            assert not await metrics_jobs.record_activity(
                {"metrics_engine": metrics_engine}, 1, "runs_finished", template.id, "2026-06-01", 1.0, fig.version
            )
            # a second article in June: one change, one job, the new value
            with Session(tasks_engine, expire_on_commit=False) as session:
                _, second = start_blog(session, PUBLISH, template=session.merge(template))
                finish(session, second)
                session.commit()
            changed = await tasks_jobs.publish_activity(ctx)
            assert changed >= 1 and await redis.zcard(queue_name("metrics")) == changed
            await drain()
            assert await tasks_jobs.publish_activity(ctx) == 0
        finally:
            await redis.flushdb()
            await redis.aclose()

    run_async(scenario())
    # the months since June with nothing finished or logged are 0, once each, up to the current month
    empty = [(m, 0.0, "activity") for m in activity._month_range(JUNE, utcnow().date())[1:]]
    assert observations(metrics_engine, ids["Articles published"]) == [(JUNE, 2.0, "activity"), *empty]
    assert observations(metrics_engine, ids["Hours spent on content"]) == [(JUNE, 3.0, "activity"), *empty]
    with Session(metrics_engine) as session:
        runs = session.get(ActivityFigure, (1, ActivityMeasure.runs_finished, template.id, JUNE))
    assert (runs.value, runs.version) == (2.0, 2)
