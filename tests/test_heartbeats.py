"""Each worker's heartbeat is its own: three workers show three fresh beats in the gateway's /healthz."""

from __future__ import annotations

import time

import redis

from effekt.registry import PARTS, SERVICES
from kit.queue import heartbeat_key


def test_heartbeat_crons_have_a_job_id_per_service():
    # arq's cron job id is "<name>:<time>" and job ids are global in Redis: equal names let one beat a tick through.
    names = {name: [c.name for c in PARTS[name].worker_settings("redis://x").get("cron_jobs", [])] for name in SERVICES}
    beats = [next(n for n in crons if "heartbeat" in n) for crons in names.values()]
    assert len(set(beats)) == 3, beats


def test_three_workers_show_three_fresh_heartbeats(client, live):
    from kit.settings import common

    r = redis.Redis.from_url(common().redis_url)
    r.delete(*[heartbeat_key(n) for n in SERVICES])
    cleared = time.time()
    deadline = time.monotonic() + 45  # the beat is every 30 s, on :00 and :30
    services = {}
    while time.monotonic() < deadline:
        services = client.get("/healthz").json()["services"]
        if all(services[n]["worker_seen_seconds_ago"] is not None for n in SERVICES):
            break
        time.sleep(0.5)
    seen = {n: services[n]["worker_seen_seconds_ago"] for n in SERVICES}
    assert all(s is not None and s <= time.time() - cleared + 1 for s in seen.values()), seen
    assert all(services[n]["status"] == "up" for n in SERVICES)
