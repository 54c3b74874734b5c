"""arq WorkerSettings of the tasks service: its queue, its jobs (each concept's jobs.py), its crons."""

from kit.queue import heartbeat_cron, queue_name, redis_settings
from services.tasks.webhooks.jobs import retention_cron, send_webhooks, webhook_retention, webhooks_cron

FUNCTIONS: list = [send_webhooks, webhook_retention]


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [heartbeat_cron("tasks"), webhooks_cron(), retention_cron()],
        "queue_name": queue_name("tasks"),
        "redis_settings": redis_settings(redis_url),
    }
