"""The npm packages the tests run (a real OIDC provider, axe-core), installed on first use into .tools/node."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PACKAGES = ("oidc-provider@9.13.3", "axe-core@4.14.1")
PREFIX = Path(__file__).resolve().parent.parent / ".tools" / "node"  # gitignored


def node_modules() -> Path | str:
    """The node_modules folder with every package in PACKAGES, or a reason why it cannot be had."""
    if not shutil.which("node") or not shutil.which("npm"):
        return "node and npm are needed for the OIDC provider and axe-core (apt-get install nodejs npm)"
    modules = PREFIX / "node_modules"
    missing = [p for p in PACKAGES if not _installed(modules, p)]
    if missing:
        PREFIX.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["npm", "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            return f"npm install {' '.join(PACKAGES)} failed: {done.stderr.strip()[-400:]}"
    return modules


def _installed(modules: Path, spec: str) -> bool:
    import json

    name, _, version = spec.rpartition("@")
    manifest = modules / name / "package.json"
    return manifest.exists() and json.loads(manifest.read_text()).get("version") == version
