"""arq WorkerSettings of the tasks service: its queue, its jobs (each concept's jobs.py), its crons."""

from kit.queue import heartbeat_cron, queue_name, redis_settings
from services.tasks.webhooks.jobs import send_webhooks, webhooks_cron

FUNCTIONS: list = [send_webhooks]


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [heartbeat_cron("tasks"), webhooks_cron()],
        "queue_name": queue_name("tasks"),
        "redis_settings": redis_settings(redis_url),
    }
