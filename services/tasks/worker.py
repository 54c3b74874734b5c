"""arq WorkerSettings of the tasks service: its queue, its jobs (each concept's jobs.py), its crons."""

from kit.queue import heartbeat_cron, queue_name, redis_settings
from services.tasks.activity.jobs import publish_activity, publish_cron

FUNCTIONS: list = [publish_activity]


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [heartbeat_cron("tasks"), publish_cron()],
        "queue_name": queue_name("tasks"),
        "redis_settings": redis_settings(redis_url),
    }
