"""arq WorkerSettings of the metrics service: its queue, its jobs, its crons."""

from kit.queue import heartbeat_cron, queue_name, redis_settings
from services.metrics.cycles.jobs import open_cycle
from services.metrics.imports.jobs import IMPORT_JOB
from services.metrics.imports.requeue import requeue_cron

FUNCTIONS = [open_cycle, IMPORT_JOB]


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [heartbeat_cron("metrics"), requeue_cron()],
        "queue_name": queue_name("metrics"),
        "redis_settings": redis_settings(redis_url),
    }
