"""The gateway's queue in front of each service: a few requests in flight, the rest in the order they came."""

import asyncio
from contextlib import asynccontextmanager

from aiohttp import web

from gateway.auth import Signer
from gateway.upstream import Upstreams
from kit.testing import run_async


@asynccontextmanager
async def goals_behind_the_gateway(path: str, handler, **options):
    """`handler` served at `path` on a loopback port, and the gateway's Upstreams with it as the goals service."""
    app = web.Application()
    app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    upstreams = Upstreams({"goals": f"http://127.0.0.1:{port}"}, Signer("k" * 32), **options)
    await upstreams.start()
    try:
        yield upstreams
    finally:
        await upstreams.close()
        await runner.cleanup()


def test_a_service_gets_at_most_its_share_at_once_in_arrival_order_and_internal_calls_do_not_queue():
    async def scenario():
        release = asyncio.Event()
        inside, peak, order = [0], [0], []

        async def slow(request: web.Request) -> web.Response:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
            order.append(request.query["n"])
            if request.query["n"] != "internal":
                await release.wait()
            inside[0] -= 1
            return web.json_response({"n": request.query["n"]})

        async with goals_behind_the_gateway("/slow", slow, concurrency=2) as upstreams:
            calls = []
            for n in range(6):
                calls.append(asyncio.create_task(upstreams.send("goals", "GET", f"/slow?n={n}", headers={})))
                await asyncio.sleep(0.02)  # they arrive one after another
            while len(order) < 2:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            assert order == ["0", "1"]  # two in flight, four waiting in the gateway
            status, _, _ = await asyncio.wait_for(
                upstreams.send("goals", "GET", "/slow?n=internal", headers={}, queued=False), timeout=5
            )
            assert status == 200  # a service's own call to another is never held behind the queue
            release.set()
            answers = await asyncio.gather(*calls)
            assert [a[0] for a in answers] == [200] * 6
            assert order == ["0", "1", "internal", "2", "3", "4", "5"]  # the waiting ones in the order they came
            assert peak[0] == 3  # two queued ones and the internal call

    run_async(scenario())


def test_a_request_that_waits_in_the_queue_longer_than_an_answer_may_take_is_a_503():
    from kit.errors import Unavailable

    async def scenario():
        release = asyncio.Event()

        async def hangs(request: web.Request) -> web.Response:
            await release.wait()
            return web.json_response({})

        async with goals_behind_the_gateway("/hangs", hangs, timeout=0.5, concurrency=1) as upstreams:
            first = asyncio.create_task(upstreams.send("goals", "GET", "/hangs", headers={}))
            await asyncio.sleep(0.05)
            try:
                await upstreams.send("goals", "GET", "/hangs", headers={})
                raise AssertionError("the second request should have been refused")
            except Unavailable as exc:
                assert "too busy" in str(exc.detail) and exc.headers == {"Retry-After": "5"}
            try:
                await first  # the hanging one times out on its own
            except Unavailable:
                pass
            release.set()

    run_async(scenario())
