"""arq WorkerSettings of the goals service: its queue, its jobs, its crons."""

from arq import cron

from kit.queue import heartbeat_cron, queue_name, redis_settings
from services.goals.surfaces import jobs as surface_jobs

FUNCTIONS = [*surface_jobs.FUNCTIONS]


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [
            heartbeat_cron("goals"),
            # hourly: a cycle opens within the hour its surface's period ends (idempotent downstream)
            cron(surface_jobs.schedule_cycles, minute={7}, second={0}, unique=True, run_at_startup=True),
        ],
        "queue_name": queue_name("goals"),
        "redis_settings": redis_settings(redis_url),
    }
