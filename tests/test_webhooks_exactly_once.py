"""Webhooks exactly once, as real processes: two `effekt worker tasks` fan out and send concurrently (their crons
running at once), one is killed in the middle of a sweep and started again, and Redis is restarted; every
occurrence reaches the receiver with one webhook-id, and only a message whose sender died mid-request is sent
again (with the same webhook-id, the receiver's idempotency key, after the dead worker's claim runs out)."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter

import pytest
from sqlmodel import Session, select

from kit import testing
from services.tasks.events import service as events
from services.tasks.events.models import EventKind
from services.tasks.models import metadata
from services.tasks.tests.webhooks.receiver import Receiver
from services.tasks.webhooks.crypto import KeyRing, new_key
from services.tasks.webhooks.models import DeliveryState, EndpointKind, WebhookDelivery, WebhookEndpoint
from tests.processes import EFFEKT, clean_env
from tests.test_faults_redis import OwnRedis, until

OCCURRENCES = 40
KEY = new_key()


def worker(env: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen(
        [EFFEKT, "worker", "tasks"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_two_workers_a_kill_and_a_redis_restart_send_each_occurrence_once(tmp_path):
    with testing.fresh_engine(tmp_path, metadata, "tasks") as engine, Receiver(delay=1.0) as receiver:
        url = testing.test_database_url() or f"sqlite:///{tmp_path / 'tasks.db'}"
        with Session(engine) as session:
            secret = KeyRing([KEY]).seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", workspace_id=1)
            session.add(WebhookEndpoint(workspace_id=1, kind=EndpointKind.standard, url=receiver.url, secret=secret,
                                        created_by=1))  # fmt: skip
            session.commit()
            for n in range(OCCURRENCES):
                for recipient in (11, 12):
                    events.record(session=session, workspace_id=1, recipient_id=recipient,
                                  kind=EventKind.overdue, key=f"reminder:{n}")  # fmt: skip
            session.commit()
        redis = OwnRedis(tmp_path).start()
        env = clean_env(
            tmp_path / "data", REDIS_URL=redis.url, EFFEKT_TASKS_DATABASE_URL=url, EFFEKT_OUTBOUND_ALLOW="loopback",
            EFFEKT_TASKS_WEBHOOK_TIMEOUT="2", EFFEKT_TASKS_WEBHOOK_KEYS=KEY, EFFEKT_TASKS_WEBHOOK_BATCH="3",
        )  # fmt: skip
        log = (tmp_path / "workers.log").open("w")
        first, second = worker(env, log), worker(env, log)
        procs = [first, second]
        try:
            until(lambda: len(receiver.arrivals) >= 2, 120, "the first deliveries")
            first.kill()  # mid-sweep: its claimed batch is in flight at the receiver
            first.wait()
            kill_time = time.monotonic()
            procs.append(worker(env, log))  # started again
            redis.kill()
            time.sleep(3)
            redis.start()

            def distinct() -> int:
                return len({a.headers["webhook-id"] for a in list(receiver.arrivals)})

            until(lambda: distinct() == OCCURRENCES, 180, f"{OCCURRENCES} distinct messages", every=0.5)
            time.sleep(12)  # a lease and a tick more: nothing else may arrive
        finally:
            for proc in procs:
                stop(proc)
            redis.stop()
            log.close()
        arrivals = list(receiver.arrivals)
        # What the killed worker may have sent: what arrived before it died, or just after (its last bytes were in
        # the socket when it died; the receiver's thread reads them a moment later).
        in_flight = {a.headers["webhook-id"] for a in arrivals if a.at <= kill_time + 1.0}
        ids = Counter(a.headers["webhook-id"] for a in arrivals)
        by_occurrence = {}
        for a in arrivals:
            by_occurrence.setdefault(a.json()["data"]["occurrence"], set()).add(a.headers["webhook-id"])
        assert len(by_occurrence) == OCCURRENCES and all(len(v) == 1 for v in by_occurrence.values())
        again = {i for i, n in ids.items() if n > 1}
        late = [
            (a.headers["webhook-id"], round(a.at - kill_time, 2)) for a in arrivals if a.headers["webhook-id"] in again
        ]  # noqa: E501
        assert again <= in_flight, (late, in_flight)  # sent twice only when the sender died mid-request
        assert all(n <= 2 for n in ids.values())
        with Session(engine) as session:
            rows = session.exec(select(WebhookDelivery)).all()
            assert len(rows) == OCCURRENCES and all(d.state == DeliveryState.succeeded for d in rows)
        print(
            f"\n[webhooks exactly once] {OCCURRENCES} occurrences (2 recipients each): {len(arrivals)} requests, "
            f"{len(ids)} distinct webhook-ids, {len(again)} resent after the kill (in flight: {len(in_flight)})"
        )
