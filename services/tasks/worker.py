"""arq WorkerSettings of the tasks service: its queue, its jobs (each concept's jobs.py), its crons."""

from kit.queue import heartbeat_cron, queue_name, redis_settings
from services.tasks.reminders.jobs import reminders_cron, sweep_reminders

FUNCTIONS: list = [sweep_reminders]


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [heartbeat_cron("tasks"), reminders_cron()],
        "queue_name": queue_name("tasks"),
        "redis_settings": redis_settings(redis_url),
    }
