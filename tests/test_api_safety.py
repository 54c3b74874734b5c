"""Safe use of the API: Idempotency-Key on creates, rate limits per token (gateway.safety)."""

from __future__ import annotations

import httpx

from kit.testing import problem, run_async
from tests import support
from tests.test_api import SURFACE


def test_the_same_key_and_body_replays_the_first_answer(client, account):
    h = {**account.headers(), "Idempotency-Key": "create-site-1"}
    first = client.post("/api/v1/surfaces", json=SURFACE, headers=h)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/surfaces", json=SURFACE, headers=h)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"] == f"/api/v1/surfaces/{first.json()['id']}"
    assert client.get("/api/v1/surfaces", headers=account.headers()).json()["count"] == 1
    other = client.post("/api/v1/surfaces", json={**SURFACE, "name": "Shop"}, headers=h)
    problem(other, 422, "Idempotency-Key")
    shop = client.post("/api/v1/surfaces", json={**SURFACE, "name": "Shop"}, headers=account.headers())
    assert shop.status_code == 201
    problem(client.post("/api/v1/surfaces", json=SURFACE, headers={**h, "Idempotency-Key": "spaces in it"}), 400)


def test_keys_are_per_token_and_errors_other_than_5xx_are_kept(client, account, other_account):
    key = {"Idempotency-Key": "shared-key"}
    mine = client.post("/api/v1/surfaces", json=SURFACE, headers={**account.headers(), **key})
    theirs = client.post("/api/v1/surfaces", json=SURFACE, headers={**other_account.headers(), **key})
    assert mine.status_code == theirs.status_code == 201 and mine.json()["id"] != theirs.json()["id"]
    bad = {**SURFACE, "kind": "spaceship"}
    first = client.post("/api/v1/surfaces", json=bad, headers={**account.headers(), "Idempotency-Key": "bad-one"})
    again = client.post("/api/v1/surfaces", json=bad, headers={**account.headers(), "Idempotency-Key": "bad-one"})
    assert problem(first, 422, "kind") == problem(again, 422, "kind")


def test_gateway_creates_honour_the_key_too(client, live):
    owner = support.make_account(role="owner")
    h = {**owner.headers(), "Idempotency-Key": "ws-1"}
    first = client.post("/api/v1/workspaces", json={"name": "Twice"}, headers=h)
    again = client.post("/api/v1/workspaces", json={"name": "Twice"}, headers=h)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]


def _gateway_with_limit(monkeypatch, limit: int):
    from gateway.app import create_app
    from gateway.config import settings

    monkeypatch.setenv("EFFEKT_GATEWAY_API_RATE_LIMIT", str(limit))
    settings.cache_clear()
    try:
        return create_app()
    finally:
        monkeypatch.delenv("EFFEKT_GATEWAY_API_RATE_LIMIT")
        settings.cache_clear()


def test_rate_limit_per_token_with_headers_and_retry_after(monkeypatch, live, account, other_account):
    app = _gateway_with_limit(monkeypatch, 3)

    async def run():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as c:
            answers = [await c.get("/api/v1/me", headers=account.headers()) for _ in range(4)]
            theirs = await c.get("/api/v1/me", headers=other_account.headers())
            await app.state.redis.aclose(close_connection_pool=True)
            return answers, theirs

    answers, theirs = run_async(run())
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["ratelimit-remaining"] for r in answers] == ["2", "1", "0", "0"]
    assert all(r.headers["ratelimit-limit"] == "3" for r in answers)
    limited = problem(answers[3], 429)
    assert int(answers[3].headers["retry-after"]) >= 1 and "3 requests" in limited["detail"]
    assert theirs.status_code == 200 and theirs.headers["ratelimit-remaining"] == "2"  # another token, its own


def test_rate_limit_counts_in_process_when_redis_is_down():
    from gateway.safety import RateLimitMiddleware
    from kit.queue import lazy_pool

    limiter = RateLimitMiddleware(app=None, limit=2, window=60)

    async def run():
        redis = lazy_pool("redis://127.0.0.1:1/0")
        counts = [(await limiter.hit(redis, "token-a"))[0] for _ in range(3)]
        await redis.aclose(close_connection_pool=True)
        return counts

    assert run_async(run()) == [1, 2, 3]
    assert limiter.degraded
