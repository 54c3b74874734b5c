"""arq WorkerSettings of the metrics service: its queue, its jobs, its crons."""

from arq import cron

from kit.queue import heartbeat_cron, queue_name, redis_settings
from services.metrics.activity.jobs import fill_activity_months, record_activity
from services.metrics.connectors.jobs import enqueue_due_connectors, pull_connector
from services.metrics.cycles.jobs import open_cycle
from services.metrics.feedback.jobs import feedback_retention
from services.metrics.imports.jobs import IMPORT_JOB
from services.metrics.imports.requeue import requeue_cron
from services.metrics.outbox.jobs import push_notifications
from services.metrics.outbox.stale import notify_stale_kpis

FUNCTIONS = [
    open_cycle,
    IMPORT_JOB,
    pull_connector,
    enqueue_due_connectors,
    feedback_retention,
    push_notifications,
    notify_stale_kpis,
    record_activity,
    fill_activity_months,
]


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [
            heartbeat_cron("metrics"),
            requeue_cron(),
            # every minute: a connector's slot is a minute; the pull claims each slot once whoever enqueues it
            cron(enqueue_due_connectors, second=5, unique=True, run_at_startup=True),
            cron(feedback_retention, hour={3}, minute={17}, unique=True),
            # the notification outbox to the tasks queue, every 15 s (retried there with a back-off while Redis is away)
            cron(push_notifications, second={0, 15, 30, 45}, unique=True, run_at_startup=True),
            cron(notify_stale_kpis, hour={5}, minute={41}, unique=True),
            # before the stale check: a month without activity is a 0, not a missing value
            cron(fill_activity_months, hour={0, 4}, minute={11}, unique=True, run_at_startup=True),
        ],
        "queue_name": queue_name("metrics"),
        "redis_settings": redis_settings(redis_url),
    }
