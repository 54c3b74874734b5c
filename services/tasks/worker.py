"""arq WorkerSettings of the tasks service: its queue, its jobs, its crons."""

from arq import cron

from kit.queue import queue_name, redis_settings
from services.tasks import jobs


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": jobs.FUNCTIONS,
        "cron_jobs": [cron(jobs.record_heartbeat, second={0, 30}, unique=True, run_at_startup=True)],
        "queue_name": queue_name("tasks"),
        "redis_settings": redis_settings(redis_url),
    }
