"""Connectors: pull two years of daily values for 50 feeds from a local recorded vendor and store them.

The vendor is a Plausible Stats API v2 on loopback (self-hosted base URL) serving pre-recorded answers, one per
feed (731 daily rows each). Measured: the time a bare HTTP client takes to fetch the same answers with the same
requests in flight (the serving time: what the vendor costs), and the time the connector runner takes to pull,
check and store them as observations (claims, vendor calls with retries, parsing, one upsert transaction).
Last line: `ratio: N.NN` = runner time / serving time; the goal is <= 3.0.

    .venv/bin/python bench/connectors.py                      # SQLite in a temp dir
    .venv/bin/python bench/connectors.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("EFFEKT_OUTBOUND_ALLOW", "loopback")  # the recorded vendor listens on 127.0.0.1

DAYS = 731
TODAY = date(2026, 3, 10)


def recorded(feeds: int) -> dict[str, bytes]:
    """page path (each feed's filter) -> the vendor's answer for two years of daily visitors."""
    first = TODAY - timedelta(days=DAYS - 1)
    out = {}
    for n in range(feeds):
        rows = [
            {"dimensions": [(first + timedelta(days=d)).isoformat()], "metrics": [100 + (d * 7 + n) % 90]}
            for d in range(DAYS)
        ]
        out[f"/p{n}"] = json.dumps({"results": rows, "meta": {}, "query": {}}).encode()
    return out


def serve(answers: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
            data = answers[body["filters"][0][2][0]]
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # the default 5 drops connections when 20 arrive at once

    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return httpd


async def bare_fetch(url: str, sites: list[str], concurrency: int) -> float:
    """Seconds for a bare client to fetch every answer, `concurrency` in flight (the body read, not parsed)."""
    import httpx

    slots = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(site: str) -> None:
            async with slots:
                resp = await client.post(
                    url + "/api/v2/query", json={"site_id": "example.com", "filters": [["is", "event:page", [site]]]}
                )
                assert resp.status_code == 200 and resp.content

        started = time.perf_counter()
        await asyncio.gather(*(one(s) for s in sites))
        return time.perf_counter() - started


def setup(database_url: str, vendor_url: str, feeds: int, per_connector: int) -> list[int]:
    """KPIs, connectors and feeds in a fresh schema; the connector ids."""
    from sqlmodel import Session

    import services.metrics.models  # noqa: F401  (registers every table)
    from kit.db import make_engine
    from services.metrics.connectors import service
    from services.metrics.connectors.models import ConnectorCreate, FeedCreate
    from services.metrics.db import metadata
    from services.metrics.kpis.models import Category, Kpi

    engine = make_engine(database_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    ids = []
    with Session(engine) as session:
        for c in range(feeds // per_connector):
            data = ConnectorCreate(
                name=f"Plausible {c}",
                kind="plausible",
                settings={"site_id": "example.com", "base_url": vendor_url},
                credentials={"api_key": "bench-key"},
            )
            connector = service.create_connector(session=session, workspace_id=1, user_id=1, timezone="UTC", data=data)
            for f in range(per_connector):
                kpi = Kpi(name=f"Visits {c}-{f}", category=Category.result, workspace_id=1)
                session.add(kpi)
                session.flush()
                path = f"/p{c * per_connector + f}"
                feed = FeedCreate(metric="visitors", filter=path, kpi_id=kpi.id, backfill_days=DAYS - 1)
                service.create_feed(session=session, workspace_id=1, connector_id=connector.id, data=feed)
            ids.append(connector.id)
        session.commit()
    engine.dispose()
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--per-connector", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="effekt-bench-connectors-")
    os.environ.setdefault("EFFEKT_DATA_DIR", tmp)
    answers = recorded(args.feeds)
    httpd = serve(answers)
    vendor_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    database_url = args.database_url or f"sqlite:///{tmp}/metrics.db"
    ids = setup(database_url, vendor_url, args.feeds, args.per_connector)
    try:
        serving = asyncio.run(bare_fetch(vendor_url, list(answers), 4 * len(ids)))
        seconds, stored = asyncio.run(pull_all(database_url, ids))
    finally:
        httpd.shutdown()
    if stored != args.feeds * DAYS:
        sys.exit(f"stored {stored} values, expected {args.feeds * DAYS}")
    print(f"feeds: {args.feeds} in {len(ids)} connectors, {DAYS} daily values each ({stored:,} values)")
    print(f"serving (bare client, same requests in flight): {serving:.2f} s")
    print(f"runner (pull, check, store): {seconds:.2f} s ({stored / seconds:,.0f} values/s)")
    print(f"ratio: {seconds / serving:.2f}")


async def pull_all(database_url: str, ids: list[int]) -> tuple[float, int]:
    """Seconds to run every connector once, concurrently, and the values stored."""
    from kit.db import make_engine
    from services.metrics.connectors import runner
    from services.metrics.connectors.models import Trigger

    engine = make_engine(database_url)
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    started = time.perf_counter()
    runs = await asyncio.gather(
        *(runner.pull(engine, i, run_key="bench", trigger=Trigger.manual, now=now) for i in ids)
    )
    seconds = time.perf_counter() - started
    engine.dispose()
    bad = [r.error for r in runs if r.status != "ok"]
    if bad:
        sys.exit(f"runs failed: {bad[:3]}")
    return seconds, sum(r.stored for r in runs)


if __name__ == "__main__":
    main()
