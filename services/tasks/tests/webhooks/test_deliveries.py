"""Webhook deliveries against a receiver on loopback: one signed message per occurrence, retries on the schedule,
410 disables, replay, rotation, Slack and Teams shapes, and exactly once with concurrent workers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select
from standardwebhooks import Webhook

from kit.fields import utcnow
from kit.roles import Role
from kit.testing import auth, run_async
from services.tasks.events import service as events
from services.tasks.events.models import EventKind
from services.tasks.tests.webhooks.receiver import Receiver
from services.tasks.webhooks import crypto, deliver, fanout, jobs
from services.tasks.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint

ADMIN = Role.admin


def add(client, url: str, **body) -> dict:
    resp = client.post("/api/v1/webhooks", json={"url": url, **body}, headers=auth(ADMIN))
    assert resp.status_code == 201, resp.text
    return resp.json()


def occur(engine, key: str, recipients=(11, 12), kind=EventKind.assigned, workspace_id: int = 1) -> None:
    with Session(engine) as session:
        for recipient in recipients:
            events.record(
                session=session, workspace_id=workspace_id, recipient_id=recipient, kind=kind, key=key,
                link="/runs/5#task-7", params={"task_title": "Write the draft", "run_name": "June post"}, task_id=7,
                run_id=5,
            )  # fmt: skip
        session.commit()


def run(engine, **options) -> int:
    return run_async(jobs.run_webhooks(engine, **options))


def verify(secret: str, arrival) -> dict:
    return Webhook(secret).verify(arrival.body, arrival.headers)


def deliveries(engine) -> list[WebhookDelivery]:
    with Session(engine) as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all())


def test_one_signed_message_per_occurrence_verified_by_standardwebhooks(engine, client, receiver):
    hook = add(client, receiver.url)
    assert hook["secret"].startswith("whsec_") and hook["enabled"]
    assert "secret" not in client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth(ADMIN)).json()
    with Session(engine) as session:  # sealed at rest, bound to its workspace
        stored = session.get(WebhookEndpoint, hook["id"]).secret
    assert stored.startswith("v1.") and hook["secret"] not in stored and hook["secret"][6:] not in stored
    with pytest.raises(crypto.SecretError):
        crypto.key_ring().open(stored, workspace_id=2)
    occur(engine, "task:7:assigned:11", recipients=(11, 12, 13))
    run(engine)
    run(engine)  # a second tick finds nothing new
    assert len(receiver.arrivals) == 1
    arrival = receiver.arrivals[0]
    payload = verify(hook["secret"], arrival)
    assert payload["type"] == "task.assigned"
    assert payload["data"]["recipientIds"] == [11, 12, 13]
    assert payload["data"]["url"] == "https://effekt.example/runs/5#task-7"
    assert arrival.headers["webhook-id"].startswith("msg_")
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth(ADMIN)).json()
    assert log["count"] == 1 and log["data"][0]["state"] == "succeeded" and log["data"][0]["last_status"] == 200


def test_a_500_is_retried_then_succeeds_with_the_same_webhook_id(engine, client, receiver):
    hook = add(client, receiver.url)
    receiver.answer(500, 500, 200)
    occur(engine, "reminder:41")
    run(engine)
    assert [a.headers["webhook-id"] for a in receiver.arrivals] == [receiver.arrivals[0].headers["webhook-id"]] * 3
    for arrival in receiver.arrivals:
        verify(hook["secret"], arrival)
    (delivery,) = deliveries(engine)
    assert delivery.state == DeliveryState.succeeded and delivery.attempts == 3
    detail = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery.id}", headers=auth(ADMIN)).json()
    assert [a["status_code"] for a in detail["log"]] == [500, 500, 200]
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth(ADMIN)).json()["failing_since"] is None


def test_retries_follow_the_schedule_and_stop_when_it_runs_out(engine, client, receiver, monkeypatch):
    from services.tasks.webhooks.config import settings

    monkeypatch.setenv("EFFEKT_TASKS_WEBHOOK_SCHEDULE", "0,5,300")
    settings.cache_clear()
    add(client, receiver.url)
    receiver.answer(503)
    occur(engine, "reminder:42")
    start = utcnow()
    clock = {"now": start}
    run(engine, now=lambda: clock["now"])
    (delivery,) = deliveries(engine)
    assert delivery.attempts == 1 and delivery.state == DeliveryState.pending
    assert abs((delivery.next_attempt_at.replace(tzinfo=start.tzinfo) - start).total_seconds() - 5) < 1
    clock["now"] = start + timedelta(seconds=4)
    run(engine, now=lambda: clock["now"])
    assert len(receiver.arrivals) == 1  # not yet due
    clock["now"] = start + timedelta(seconds=6)
    run(engine, now=lambda: clock["now"])
    clock["now"] = start + timedelta(seconds=400)
    run(engine, now=lambda: clock["now"])
    (delivery,) = deliveries(engine)
    assert len(receiver.arrivals) == 3 and delivery.state == DeliveryState.failed and delivery.attempts == 3


def test_410_disables_the_endpoint_and_nothing_more_is_sent(engine, client, receiver):
    hook = add(client, receiver.url)
    receiver.answer(410)
    occur(engine, "reminder:1")
    run(engine)
    occur(engine, "reminder:2")
    run(engine)
    assert len(receiver.arrivals) == 1
    found = client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth(ADMIN)).json()
    assert found["enabled"] is False and "410" in found["disabled_reason"]
    assert [d.state for d in deliveries(engine)] == [DeliveryState.failed]
    resp = client.post(f"/api/v1/webhooks/{hook['id']}/test", headers=auth(ADMIN))
    assert resp.status_code == 409
    # enabled again by an admin: new occurrences are sent
    receiver.answer(200)
    resp = client.patch(f"/api/v1/webhooks/{hook['id']}", json={"enabled": True}, headers=auth(ADMIN))
    assert resp.status_code == 200 and resp.json()["enabled"] is True
    occur(engine, "reminder:3")
    run(engine)
    assert len(receiver.arrivals) == 2


def test_an_endpoint_failing_for_days_is_disabled(engine, client, receiver):
    hook = add(client, receiver.url)
    receiver.answer(500)
    occur(engine, "reminder:1")
    start = utcnow()
    run(engine, now=lambda: start)
    occur(engine, "reminder:2")
    later = start + timedelta(days=5, minutes=1)
    with Session(engine) as session:  # the second occurrence waits for its turn after the failing days
        for d in session.exec(select(WebhookDelivery)).all():
            d.next_attempt_at = later
            session.add(d)
        session.commit()
    run_async(deliver.send_due(engine, now=lambda: later))
    with Session(engine) as session:
        fanout.fan_out(session, later)
    run_async(deliver.send_due(engine, now=lambda: later))
    found = client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth(ADMIN)).json()
    assert found["enabled"] is False and "5 days" in found["disabled_reason"]


def test_replay_sends_a_delivery_again_with_its_webhook_id(engine, client, receiver):
    hook = add(client, receiver.url)
    occur(engine, "task:7:assigned:11")
    run(engine)
    (delivery,) = deliveries(engine)
    url = f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery.id}/replay"
    resp = client.post(url, headers=auth(ADMIN))
    assert resp.status_code == 202 and resp.json()["state"] == "pending"
    assert client.post(url, headers=auth(ADMIN)).status_code == 409  # still being sent
    run(engine)
    assert len(receiver.arrivals) == 2
    assert receiver.arrivals[0].headers["webhook-id"] == receiver.arrivals[1].headers["webhook-id"]
    verify(hook["secret"], receiver.arrivals[1])
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(WebhookAttempt)).one() == 2


def test_the_test_event_button(engine, client, receiver):
    hook = add(client, receiver.url)
    resp = client.post(f"/api/v1/webhooks/{hook['id']}/test", headers=auth(ADMIN))
    assert resp.status_code == 202 and resp.json()["event_type"] == "webhook.test"
    run(engine)
    assert verify(hook["secret"], receiver.arrivals[0])["type"] == "webhook.test"


def test_rotation_signs_with_both_secrets_until_the_old_one_expires(engine, client, receiver):
    hook = add(client, receiver.url)
    resp = client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", headers=auth(ADMIN))
    assert resp.status_code == 200
    new = resp.json()["secret"]
    assert new != hook["secret"] and new.startswith("whsec_")
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth(ADMIN)).json()["rotating_until"]
    occur(engine, "reminder:9")
    run(engine)
    arrival = receiver.arrivals[0]
    assert len(arrival.headers["webhook-signature"].split(" ")) == 2
    verify(hook["secret"], arrival)  # a receiver still on the old secret
    verify(new, arrival)  # and one already on the new
    later = utcnow() + timedelta(hours=25)
    with Session(engine) as session:
        endpoint = session.get(WebhookEndpoint, hook["id"])
        from services.tasks.webhooks.service import signing_secrets

        assert signing_secrets(endpoint, later) == [new]


def test_event_kind_filters_and_endpoints_of_other_workspaces(engine, client, receiver):
    with Receiver() as other:
        add(client, receiver.url, event_kinds=["overdue"])
        resp = client.post("/api/v1/webhooks", json={"url": other.url}, headers=auth(ADMIN, workspace_id=2))
        assert resp.status_code == 201
        occur(engine, "task:7:assigned:11")  # workspace 1, not overdue
        occur(engine, "reminder:5", kind=EventKind.overdue)
        run(engine)
        assert [a.json()["type"] for a in receiver.arrivals] == ["task.overdue"]
        assert other.arrivals == []


def test_slack_block_kit_and_teams_adaptive_card(engine, client):
    with Receiver() as slack, Receiver() as teams:
        made = add(client, slack.url, kind="slack")
        assert made["secret"] is None
        add(client, teams.url, kind="teams")
        occur(engine, "reminder:7", kind=EventKind.overdue)
        run(engine)
        message = slack.arrivals[0].json()
        assert message["text"] == "A step is overdue: Write the draft · June post"
        assert message["blocks"][0]["type"] == "section" and message["blocks"][0]["text"]["type"] == "mrkdwn"
        button = message["blocks"][1]["elements"][0]
        assert button["type"] == "button" and button["url"] == "https://effekt.example/runs/5#task-7"
        card = teams.arrivals[0].json()
        assert card["type"] == "message"
        attachment = card["attachments"][0]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert attachment["content"]["type"] == "AdaptiveCard"
        assert attachment["content"]["body"][0]["text"] == "A step is overdue"
        assert attachment["content"]["actions"][0] == {
            "type": "Action.OpenUrl", "title": "Open in Effekt", "url": "https://effekt.example/runs/5#task-7",
        }  # fmt: skip
        assert "webhook-signature" not in slack.arrivals[0].headers


def test_exactly_once_with_concurrent_fan_outs_and_senders(engine, client, receiver):
    hook = add(client, receiver.url)
    receiver.answer(500, 200)
    for n in range(20):
        occur(engine, f"reminder:{n}", recipients=(11, 12))

    async def workers():
        await asyncio.gather(*(jobs.run_webhooks(engine) for _ in range(4)))

    run_async(workers())
    run_async(workers())
    ids = [a.headers["webhook-id"] for a in receiver.arrivals]
    assert len(set(ids)) == 20  # one message per occurrence
    assert len(ids) == 21  # the first one answered 500 and was sent again; nothing else twice
    assert all(d.state == DeliveryState.succeeded for d in deliveries(engine))
    assert client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth(ADMIN)).json()["count"] == 20


def test_a_claim_left_by_a_dead_worker_runs_out_and_is_sent(engine, client, receiver):
    add(client, receiver.url)
    occur(engine, "reminder:1")
    with Session(engine) as session:
        fanout.fan_out(session, utcnow())
    claimed = deliver.claim(engine, utcnow())  # a worker claims it and dies before sending
    assert len(claimed) == 1
    assert deliver.claim(engine, utcnow()) == []  # nobody else takes it meanwhile
    run_async(deliver.send_due(engine))
    assert receiver.arrivals == []
    later = utcnow() + timedelta(minutes=5)
    run_async(deliver.send_due(engine, now=lambda: later))
    assert len(receiver.arrivals) == 1
    # the dead worker's late result does not overwrite the new one
    assert deliver._record(engine, claimed[0][0], claimed[0][1], 500, "late", 1, later) is None


@pytest.mark.parametrize("kind", ["standard", "slack"])
def test_private_addresses_are_refused_on_save_and_before_sending(engine, client, receiver, monkeypatch, kind):
    from kit.settings import common

    hook = add(client, receiver.url, kind=kind)
    monkeypatch.setenv("EFFEKT_OUTBOUND_ALLOW", "")
    common.cache_clear()
    for url in ("http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest"):
        body = client.post("/api/v1/webhooks", json={"url": url, "kind": kind}, headers=auth(ADMIN)).json()
        assert body["status"] == 422 and body["errors"][0]["field"] == "url", body
    resp = client.patch(f"/api/v1/webhooks/{hook['id']}", json={"url": "http://192.168.1.1/"}, headers=auth(ADMIN))
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "url"
    occur(engine, "reminder:1")
    run(engine)
    assert receiver.arrivals == []  # refused before the request: the saved loopback URL is no longer allowed
    (delivery,) = deliveries(engine)
    assert delivery.last_status is None and "EFFEKT_OUTBOUND_ALLOW" in delivery.last_error
    assert delivery.state == DeliveryState.failed


def test_an_event_committed_after_a_higher_id_was_read_is_still_sent(engine, client, receiver):
    from services.tasks.webhooks.models import FanoutCursor

    add(client, receiver.url)
    occur(engine, "reminder:1")
    occur(engine, "reminder:2")
    with Session(engine) as session:  # a fan-out read past both while the first one's transaction was open
        top = max(e.id for e in session.exec(select(fanout.Event)).all())
        session.add(FanoutCursor(id=1, last_event_id=top))
        session.commit()
    run(engine)
    assert sorted(a.json()["data"]["occurrence"] for a in receiver.arrivals) == ["reminder:1", "reminder:2"]
    run(engine)
    assert len(receiver.arrivals) == 2


def test_finished_deliveries_leave_the_log_after_the_kept_days(engine, client, receiver):
    from services.tasks.webhooks.service import erase_old_deliveries

    add(client, receiver.url)
    occur(engine, "reminder:1")
    run(engine)
    occur(engine, "reminder:2")
    with Session(engine) as session:
        fanout.fan_out(session, utcnow())  # waiting, not yet sent
    with Session(engine) as session:
        assert erase_old_deliveries(session=session, before=utcnow() - timedelta(days=30)) == 0
        assert erase_old_deliveries(session=session, before=utcnow() + timedelta(seconds=1)) == 1
        session.commit()
    assert [d.occurrence for d in deliveries(engine)] == ["reminder:2"]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(WebhookAttempt)).one() == 0


def test_a_receiver_too_slow_to_answer_is_a_failure_tried_again(engine, client, monkeypatch):
    from services.tasks.webhooks.config import settings

    monkeypatch.setenv("EFFEKT_TASKS_WEBHOOK_TIMEOUT", "0.5")
    monkeypatch.setenv("EFFEKT_TASKS_WEBHOOK_SCHEDULE", "0,0")
    settings.cache_clear()
    with Receiver(delay=2) as slow:
        add(client, slow.url)
        occur(engine, "reminder:1")
        run(engine)
        (delivery,) = deliveries(engine)
        assert len(slow.arrivals) == 2 and delivery.state == DeliveryState.failed
        assert delivery.last_status is None and "within 0.5 s" in delivery.last_error
