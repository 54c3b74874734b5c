"""arq WorkerSettings of the tasks service: its queue, its jobs (each concept's jobs.py), its crons."""

from arq import cron

from kit.queue import make_heartbeat, queue_name, redis_settings

record_heartbeat = make_heartbeat("tasks")
FUNCTIONS = [record_heartbeat]


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [cron(record_heartbeat, second={0, 30}, unique=True, run_at_startup=True)],
        "queue_name": queue_name("tasks"),
        "redis_settings": redis_settings(redis_url),
    }
