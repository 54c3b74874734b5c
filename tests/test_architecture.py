"""The boundaries of ARCHITECTURE.md, enforced: import contracts and the same rooms in every service."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOMS = (
    "app.py",
    "config.py",
    "db.py",
    "models.py",
    "routes.py",
    "worker.py",
    "demo.py",
    "migrations/env.py",
    "migrations/script.py.mako",
    "tests",
)


def test_import_contracts_are_kept():
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


@pytest.mark.parametrize("service", ["goals", "tasks", "metrics"])
def test_every_service_has_the_same_rooms(service):
    base = ROOT / "services" / service
    missing = [room for room in ROOMS if not (base / room).exists()]
    assert not missing, f"{service} lacks {missing}"
    assert list((base / "migrations" / "versions").glob("*.py")), f"{service} has no migration"


def test_each_part_has_its_own_version_table():
    from effekt.registry import PARTS

    tables = {name: part.module("db").VERSION_TABLE for name, part in PARTS.items()}
    assert len(set(tables.values())) == len(tables)


def test_modules_stay_small():
    too_long = []
    for package in ("kit", "services", "gateway", "frontend", "effekt"):
        for path in (ROOT / package).rglob("*.py"):
            if "versions" in path.parts or "tests" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > 450:
                too_long.append(f"{path.relative_to(ROOT)}: {lines}")
    assert not too_long, too_long


def test_running_code_never_imports_the_test_helpers():
    offenders = []
    for package in ("kit", "services", "gateway", "frontend", "effekt"):
        for path in (ROOT / package).rglob("*.py"):
            if "tests" in path.parts or path.name == "testing.py":
                continue
            if "kit.testing" in path.read_text():
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders
