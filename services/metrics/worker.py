"""arq WorkerSettings of the metrics service: its queue, its jobs, its crons."""

from kit.queue import heartbeat_cron, queue_name, redis_settings
from services.metrics import jobs


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": jobs.FUNCTIONS,
        "cron_jobs": [heartbeat_cron("metrics")],
        "queue_name": queue_name("metrics"),
        "redis_settings": redis_settings(redis_url),
    }
