"""arq WorkerSettings of the tasks service: its queue, its jobs (each concept's jobs.py), its crons."""

from arq import cron

from kit.queue import heartbeat_cron, queue_name, redis_settings
from services.tasks.activity.jobs import publish_activity, publish_cron
from services.tasks.config import settings
from services.tasks.notifications.inbound import record_metrics_events
from services.tasks.notifications.jobs import deliver_notifications
from services.tasks.reminders.jobs import reminders_cron, sweep_reminders, sweep_seconds
from services.tasks.webhooks.jobs import retention_cron, send_webhooks, webhook_retention, webhooks_cron

FUNCTIONS: list = [
    publish_activity,
    sweep_reminders,
    deliver_notifications,
    record_metrics_events,
    send_webhooks,
    webhook_retention,
]


def worker_settings(redis_url: str) -> dict:
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [
            heartbeat_cron("tasks"),
            reminders_cron(),
            # every minute (EFFEKT_TASKS_NOTIFY_SECONDS): plans new events, opens the digests whose local hour has
            # come, sends what is due
            cron(
                deliver_notifications,
                second=sweep_seconds(settings().notify_seconds),
                unique=True,
                run_at_startup=True,
            ),
            webhooks_cron(),
            retention_cron(),
            publish_cron(),
        ],
        "queue_name": queue_name("tasks"),
        "redis_settings": redis_settings(redis_url),
    }
