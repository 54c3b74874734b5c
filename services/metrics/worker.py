"""arq WorkerSettings of the metrics service: its queue, its jobs, its crons."""

from arq import cron

from kit.queue import make_heartbeat, queue_name, redis_settings
from services.metrics.cycles.jobs import open_cycle
from services.metrics.imports.jobs import IMPORT_JOB

record_heartbeat = make_heartbeat("metrics")
FUNCTIONS = [record_heartbeat, open_cycle, IMPORT_JOB]


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [cron(record_heartbeat, second={0, 30}, unique=True, run_at_startup=True)],
        "queue_name": queue_name("metrics"),
        "redis_settings": redis_settings(redis_url),
    }
