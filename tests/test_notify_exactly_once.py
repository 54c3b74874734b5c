"""Reminders exactly once, end to end: deadlines come due in a workspace of the live stack (its gateway answers
who the people are), two `effekt worker tasks` processes run the reminder sweep, the notification cron and the
webhook cron at the same time, one is killed (SIGKILL) while mail and webhooks are in flight and started again,
and their Redis is restarted once. Each due reminder reaches a real SMTP server (aiosmtpd) once per reminder and a
webhook receiver on loopback once per occurrence; a message whose sender died mid-send may come again only with
the same Message-ID / webhook-id. A task finished or re-dated before its time gets nothing.

Runs on SQLite and, with EFFEKT_TEST_DATABASE_URL, on PostgreSQL (the stack's databases)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from kit.mailbox import Mailbox
from services.tasks.events.models import Event
from services.tasks.notifications.models import Delivery, DeliveryState
from services.tasks.reminders import service as reminders
from services.tasks.reminders.models import Reminder, ReminderState
from services.tasks.tasks.models import Task, TaskState
from services.tasks.tests.webhooks.receiver import Receiver
from services.tasks.webhooks.models import DeliveryState as HookState
from services.tasks.webhooks.models import WebhookDelivery
from tests.processes import EFFEKT, OwnRedis, clean_env, until
from tests.workflow_support import add_members, blog_roles

START = datetime(2026, 5, 4, 12, tzinfo=UTC)
DUE = date(2026, 5, 27)  # long past: every row of this deadline is due at once
PER_TASK = 4  # due in 48 h, in 24 h, overdue (the next day's notice is in the future), escalated
KINDS = ["due_48h", "due_24h", "overdue", "escalated"]
SCHEDULE = "0,1,2,5,10"  # seconds before each webhook attempt (the spec's 0, 5 s, 5 min … squeezed)
TASK_LINK = re.compile(r"#task-(\d+)")


class SlowMailbox(Mailbox):
    """The SMTP server keeps each message as it arrives, then takes a moment to answer (a kill lands mid-send)."""

    delay = 0.15

    def __init__(self):
        super().__init__()
        self.arrived: list[float] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)
        self.arrived.append(time.monotonic())
        await asyncio.sleep(self.delay)
        return answer


def tasks_engine():
    from effekt.registry import PARTS
    from kit.db import make_engine

    return make_engine(PARTS["tasks"].database_url())


def add_tasks(engine, account, run_id: int, owners: list[int], prefix: str, count: int) -> dict[str, list[int]]:
    """`count` open tasks due on DUE with their reminder rows; a sixth finished and a sixth re-dated afterwards
    (both through the one hook the API calls)."""
    out: dict[str, list[int]] = {"live": [], "quiet": []}
    with Session(engine, expire_on_commit=False) as s:
        for i in range(count):
            t = Task(
                workspace_id=account.workspace_id, run_id=run_id, step_key=f"{prefix}{i}", position=100 + i,
                title=f"Reminded {prefix}{i}", role_key="content", owner_id=owners[i % len(owners)],
                anchor_key="publish", start_on=DUE, due_on=DUE, state=TaskState.open,
            )  # fmt: skip
            s.add(t)
            s.flush()
            reminders.sync(s, t, now=START)
            if i % 6 == 1:
                t.state = TaskState.done
                reminders.sync(s, t, now=START)
                out["quiet"].append(t.id)
            elif i % 6 == 2:
                t.due_on = date.today() + timedelta(days=400)  # far ahead: its new rows are not due
                reminders.sync(s, t, now=START)
                out["quiet"].append(t.id)
            else:
                out["live"].append(t.id)
        s.commit()
    return out


def worker(env: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen(
        [EFFEKT, "worker", "tasks"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_each_due_reminder_reaches_smtp_and_the_webhook_receiver_once(live, account, tmp_path, monkeypatch):
    from services.tasks.webhooks.config import settings as webhook_settings

    # The stack's own worker (a third one, on the stack's Redis) sends webhooks too: on the same quick retry schedule
    monkeypatch.setenv("EFFEKT_TASKS_WEBHOOK_SCHEDULE", SCHEDULE)
    webhook_settings.cache_clear()
    try:
        run_story(live, account, tmp_path)
    finally:
        monkeypatch.undo()
        webhook_settings.cache_clear()


def run_story(live, account, tmp_path) -> None:
    people = add_members(account, ["Anna", "Ben", "Cara", "Dan"])
    owners = [people["Anna"].user_id, people["Ben"].user_id]
    engine = tasks_engine()
    mailbox = SlowMailbox().start()
    started = time.monotonic()
    with Receiver(delay=0.2) as receiver, live.client(headers=account.headers()) as c:
        made = c.post("/api/v1/webhooks", json={"url": receiver.url, "event_kinds": KINDS})
        assert made.status_code == 201, made.text
        wf = c.post("/api/v1/workflows/builtins/blog-post", json={"language": "en"}).json()
        publish = (date.today() + timedelta(days=60)).isoformat()
        run = c.post(
            "/api/v1/workflow-runs",
            json={"template_id": wf["id"], "anchors": {"publish": publish}, "roles": blog_roles(people)},
        ).json()
        first = add_tasks(engine, account, run["id"], owners, "a", 30)

        redis = OwnRedis(tmp_path).start()
        db_urls = {k: v for k, v in os.environ.items() if k.endswith("_DATABASE_URL") and k.startswith("EFFEKT_")}
        env = clean_env(
            tmp_path / "unused",
            **db_urls,
            EFFEKT_DATA_DIR=os.environ["EFFEKT_DATA_DIR"],  # the stack's signing key and webhook sealing key
            EFFEKT_GATEWAY_URL=live.base_url,  # who the recipients are
            REDIS_URL=redis.url,
            EFFEKT_LOG_JSON="false",
            EFFEKT_OUTBOUND_ALLOW="loopback",
            EFFEKT_TASKS_SMTP_HOST="127.0.0.1",
            EFFEKT_TASKS_SMTP_PORT=str(mailbox.port),
            EFFEKT_TASKS_SMTP_TLS="none",
            EFFEKT_TASKS_SMTP_FROM="Effekt <effekt@example.com>",
            EFFEKT_TASKS_NOTIFY_MERGE_MINUTES="0",  # one email per reminder, so they can be counted
            EFFEKT_TASKS_NOTIFY_SECONDS="2",
            EFFEKT_TASKS_NOTIFY_CLAIM_SECONDS="12",  # a dead worker's claimed emails are sent again soon
            EFFEKT_TASKS_REMINDER_SWEEP_SECONDS="1",
            EFFEKT_TASKS_REMINDER_BATCH="5",
            EFFEKT_TASKS_WEBHOOK_TIMEOUT="2",  # its lease: 9 s
            EFFEKT_TASKS_WEBHOOK_BATCH="3",
            EFFEKT_TASKS_WEBHOOK_SCHEDULE=SCHEDULE,
        )
        log = (tmp_path / "workers.log").open("w")
        procs = [worker(env, log), worker(env, log)]
        try:
            until(lambda: len(mailbox.messages) >= 6 and len(receiver.arrivals) >= 3, 90, "the first messages")
            procs[0].kill()  # mid-send: its claimed emails and webhooks are in flight
            procs[0].wait()
            kill_time = time.monotonic()
            mails_then, hooks_then = len(mailbox.messages), len(receiver.arrivals)
            procs.append(worker(env, log))  # started again
            redis.kill()
            time.sleep(2)
            redis.start()
            second = add_tasks(engine, account, run["id"], owners, "b", 12)  # due after the restart
            live_ids = set(first["live"] + second["live"])
            quiet_ids = set(first["quiet"] + second["quiet"])
            want = PER_TASK * len(live_ids)

            def mail_ids() -> set[str]:
                return {m["Message-ID"] for _, m in list(mailbox.messages) if about(m) in live_ids}

            def hook_ids() -> set[str]:
                return {a.headers["webhook-id"] for a in list(receiver.arrivals)}

            until(lambda: len(mail_ids()) >= want and len(hook_ids()) >= want, 180, f"{want} of each", every=0.5)
            until(lambda: settled(engine, account.workspace_id), 180, "every claim to be settled", every=0.5)
            time.sleep(3)  # a tick more of every cron: nothing else may arrive
        finally:
            for proc in procs:
                stop(proc)
            redis.stop()
            log.close()
            mailbox.stop()
        took = time.monotonic() - started

    mails = [(m["Message-ID"], about(m), m) for _, m in mailbox.messages]
    ours = [(mid, task) for mid, task, _ in mails if task in live_ids | quiet_ids]
    per_id = Counter(mid for mid, _ in ours)
    assert not [t for _, t in ours if t in quiet_ids], "a finished or re-dated task was reminded by email"
    assert len(per_id) == want, (len(per_id), want)
    assert Counter(task for mid, task in set(ours)) == dict.fromkeys(live_ids, PER_TASK)
    mail_again = {mid for mid, n in per_id.items() if n > 1}
    # what the killed worker may have sent: what arrived before it died, or as it died
    timed = list(zip((mid for mid, _, _ in mails), mailbox.arrived, strict=True))
    in_flight_mail = {mid for mid, at in timed if at <= kill_time + 1.0}
    late = [(mid[8:16], round(at - kill_time, 1)) for mid, at in timed if mid in mail_again]
    assert mail_again <= in_flight_mail and max(per_id.values()) <= 2, late

    arrivals = list(receiver.arrivals)
    hook_count = Counter(a.headers["webhook-id"] for a in arrivals)
    by_occurrence: dict[str, set[str]] = {}
    for a in arrivals:
        by_occurrence.setdefault(a.json()["data"]["occurrence"], set()).add(a.headers["webhook-id"])
    assert len(by_occurrence) == want and all(len(v) == 1 for v in by_occurrence.values())
    hook_again = {i for i, n in hook_count.items() if n > 1}
    in_flight_hooks = {a.headers["webhook-id"] for a in arrivals if a.at <= kill_time + 1.0}
    late_hooks = [(i, round(a.at - kill_time, 1)) for a in arrivals if (i := a.headers["webhook-id"]) in hook_again]
    assert hook_again <= in_flight_hooks and max(hook_count.values()) <= 2, late_hooks

    with Session(engine) as s:
        mine = (col(Event.key).like("reminder:%"), Event.workspace_id == account.workspace_id)
        events = s.exec(select(Event).where(*mine)).all()
        keys = Counter(e.key for e in events)
        assert max(keys.values()) == 1 and len(events) == want
        assert {e.task_id for e in events} == live_ids
        assert set(by_occurrence) == set(keys)
        sent_rows = s.exec(
            select(func.count()).select_from(Reminder).where(
                col(Reminder.task_id).in_(quiet_ids), Reminder.state == ReminderState.sent
            )
        ).one()  # fmt: skip
        assert sent_rows == 0
    engine.dispose()
    text = (tmp_path / "workers.log").read_text(errors="replace")
    assert "IntegrityError" not in text, text[-4000:]
    print(
        f"\n[notify exactly once] {len(live_ids)} live tasks, {len(quiet_ids)} finished or re-dated; "
        f"{want} reminders due. SMTP: {len(ours)} messages, {len(per_id)} distinct Message-IDs, "
        f"{len(mail_again)} resent after the kill (same Message-ID; {mails_then} had arrived at the kill). "
        f"Webhooks: {len(arrivals)} requests, {len(hook_count)} distinct webhook-ids, {len(hook_again)} resent "
        f"(same webhook-id; {hooks_then} had arrived at the kill). Quiet tasks: 0 emails, 0 webhooks. {took:.0f} s"
    )


def about(message) -> int | None:
    """The task an email is about (its link ends in #task-N)."""
    found = TASK_LINK.search(message.get_body(("plain",)).get_content())
    return int(found.group(1)) if found else None


def settled(engine, workspace_id: int) -> bool:
    """No email or webhook of the workspace is claimed or waiting any more."""
    with Session(engine) as s:
        mail = s.exec(
            select(func.count()).select_from(Delivery).where(
                Delivery.workspace_id == workspace_id,
                col(Delivery.state).in_([DeliveryState.pending, DeliveryState.sending]),
            )
        ).one()  # fmt: skip
        hooks = s.exec(
            select(func.count()).select_from(WebhookDelivery).where(
                WebhookDelivery.workspace_id == workspace_id,  # another test's dead endpoint may retry for hours
                col(WebhookDelivery.state).in_([HookState.pending, HookState.sending]),
            )
        ).one()  # fmt: skip
    return mail == 0 and hooks == 0
