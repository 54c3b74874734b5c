"""Bad files against a real `effekt up`: refused with the limit named, nothing stored, the process stays
responsive and its memory bounded. The peak RSS (VmHWM, reset before each file) is printed (-s)."""

from __future__ import annotations

import io
import signal
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.processes import EFFEKT, clean_env, free_port, run_cli, wait_for

MB = 1024 * 1024


def xlsx_bomb(expanded: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            row = b'<row r="1"><c r="A1"><v>1</v></c></row>' * 25_000
            for _ in range(expanded // len(row)):
                sheet.write(row)
    return out.getvalue()


def kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM starts again from the current RSS


class Prober(threading.Thread):
    """/healthz every 50 ms while a file is sent; the slowest answer is what a stuck event loop shows."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.slowest, self.done = base, 0.0, threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as c:
            while not self.done.is_set():
                t = time.monotonic()
                c.get("/healthz")
                self.slowest = max(self.slowest, time.monotonic() - t)
                time.sleep(0.05)


@pytest.mark.slow
def test_bad_files_are_refused_naming_the_limit_with_memory_bounded(tmp_path):
    port, base = free_port(), ""
    env = clean_env(tmp_path, EFFEKT_DEMO_PASSWORD="demo-password-1")
    proc = subprocess.Popen([EFFEKT, "up", "--port", str(port)], env=env, stdout=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    figures = []
    try:
        wait_for(f"{base}/signin", proc, timeout=120)
        r = run_cli(["token", "create", "--email", "demo@example.com", "--workspace", "demo", "--role", "editor"], env)
        assert r.returncode == 0, r.stderr
        h = {"Authorization": f"Bearer {r.stdout.strip().splitlines()[-1]}"}
        c = httpx.Client(base_url=base, headers=h, timeout=120)
        good = c.post("/api/v1/imports", files={"file": ("ok.csv", b"date,value\n2026-01-01,1\n", "text/csv")})
        assert good.status_code == 201, good.text
        count = c.get("/api/v1/imports").json()["count"]
        bad = [
            ("bomb.xlsx", xlsx_bomb(300 * MB), 413, "unpacked"),
            ("wide.csv", b"c," * 1_000_000 + b"c\n" + b"1," * 1_000_000 + b"1\n", 422, "columns"),
            ("long.csv", b"date,value\n2026-01-01," + b"9" * (50 * MB) + b"\n", 422, "lines of at most"),
        ]
        for name, data, status, limit in bad:
            rss = kb(proc.pid, "VmRSS")
            reset_peak(proc.pid)
            probe = Prober(base)
            probe.start()
            t = time.monotonic()
            answer = c.post("/api/v1/imports", files={"file": (name, data, "application/octet-stream")})
            took = time.monotonic() - t
            probe.done.set()
            probe.join(timeout=30)
            peak = kb(proc.pid, "VmHWM")
            assert answer.status_code == status, (name, answer.status_code, answer.text[:300])
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert any(limit in e["detail"] for e in answer.json()["errors"]), answer.text[:300]
            assert c.get("/api/v1/imports").json()["count"] == count, "a refused file left an import behind"
            figures.append((name, len(data) // 1024, took, probe.slowest, rss // 1024, peak // 1024))
            assert probe.slowest < 3, f"{name}: /healthz waited {probe.slowest:.1f} s"
            assert (peak - rss) // 1024 < 64 + 4 * len(data) // MB, f"{name}: peak {peak // 1024} MB from {rss // 1024}"
        c.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    print("\n[uploads] file, size KB, answer s, slowest /healthz s, RSS before MB, peak RSS MB")
    for row in figures:
        name, size, took, slowest, rss, peak = row
        print(f"[uploads] {name} {size} KB: {took:.2f} s, /healthz {slowest:.2f} s, RSS {rss} MB -> peak {peak} MB")
