#!/usr/bin/env python3
"""Set up and run Effekt from a clone, with nothing installed but Python 3.11+.

    python3 dev.py up      install Effekt and start the whole product with demo data
    python3 dev.py test    install the test dependencies and run the whole suite
    python3 dev.py lint    ruff (lint and format) and the import contracts, as CI runs them

Any further arguments go to `effekt up` or to pytest. uv is used from PATH, else installed once
into .tools/ from PyPI; the project's environment is .venv/, synced from uv.lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
BIN = "Scripts" if os.name == "nt" else "bin"
PARALLEL = ["-n", "auto", "--dist", "loadfile"]
CHROMIUM = Path(os.environ.get("EFFEKT_CHROMIUM", "/usr/bin/chromium"))


def uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    tools = ROOT / ".tools"
    exe = tools / BIN / ("uv.exe" if os.name == "nt" else "uv")
    if not exe.exists():
        print("Installing uv into .tools/ …", flush=True)
        venv.create(tools, with_pip=True)
        subprocess.check_call([str(tools / BIN / "python"), "-m", "pip", "install", "--quiet", "uv"])
    return str(exe)


def sync(*extras: str) -> None:
    args = [uv(), "sync", "--frozen", "--quiet"]
    for extra in extras:
        args += ["--extra", extra]
    subprocess.check_call(args, cwd=ROOT)


def run(executable: str, args: list[str]) -> int:
    """Become the command (POSIX), so Ctrl-C and SIGTERM reach it directly."""
    path = str(ROOT / ".venv" / BIN / executable)
    os.chdir(ROOT)
    if os.name == "nt":
        return subprocess.call([path, *args])
    os.execv(path, [path, *args])


def ensure_chromium() -> None:
    """Browser tests drive Debian's chromium; install it where we can (root on Debian), else say so."""
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Installing Debian's chromium for the browser tests …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.call(["apt-get", "update", "-qq"], env=env)
        subprocess.call(["apt-get", "install", "-y", "-qq", "chromium", "fonts-dejavu-core"], env=env)
    if not CHROMIUM.exists():
        print(
            f"note: no Chromium at {CHROMIUM}; browser tests will be skipped "
            "(install Debian's `chromium`, or set EFFEKT_CHROMIUM).",
            flush=True,
        )


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("up", [])
    if command == "up":
        sync()
        return run("effekt", ["up", *rest])
    if command == "lint":
        sync("test")
        checks = [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["lint-imports", "--no-cache"]]
        failed = [c for c in checks if subprocess.call([str(ROOT / ".venv" / BIN / c[0]), *c[1:]], cwd=ROOT)]
        return 1 if failed else 0
    if command == "test":
        sync("test")
        ensure_chromium()
        # In parallel by default (each pytest-xdist worker has its own databases, Redis and ports); -n 0 for one.
        parallel = [] if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in rest) else PARALLEL
        return run("python", ["-m", "pytest", *parallel, *rest])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
