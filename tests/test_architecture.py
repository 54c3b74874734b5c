"""The boundaries of ARCHITECTURE.md, enforced: import contracts and the same rooms in every service."""

from __future__ import annotations

import ast
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


ROOT_MODULES = {"__init__.py", "app.py", "config.py", "db.py", "models.py", "routes.py", "worker.py", "demo.py"}
CONCEPT_ROOMS = ("__init__.py", "models.py", "service.py", "routes.py")
WEB = ("fastapi", "starlette", "kit.deps", "kit.pagination", "kit.problems", "kit.identity", "kit.service_app")


def concepts(service: str) -> list[Path]:
    base = ROOT / "services" / service
    return sorted(p for p in base.iterdir() if p.is_dir() and p.name not in ("migrations", "tests", "__pycache__"))


@pytest.mark.parametrize("service", ["goals", "tasks", "metrics"])
def test_the_root_holds_only_the_rooms_and_concepts_hold_the_rest(service):
    base = ROOT / "services" / service
    strays = sorted(p.name for p in base.glob("*.py") if p.name not in ROOT_MODULES)
    assert not strays, f"{service}: {strays} belong in a concept package"
    for concept in concepts(service):
        missing = [room for room in CONCEPT_ROOMS if not (concept / room).exists()]
        assert not missing, f"{concept.relative_to(ROOT)} lacks {missing}"


@pytest.mark.parametrize("service", ["goals", "tasks", "metrics"])
def test_tests_mirror_the_concepts(service):
    tests = ROOT / "services" / service / "tests"
    assert (tests / "conftest.py").exists()
    missing = [c.name for c in concepts(service) if not list((tests / c.name).glob("test_*.py"))]
    assert not missing, f"{service}: no tests/<concept>/ for {missing}"


@pytest.mark.parametrize("service", ["goals", "tasks", "metrics"])
def test_only_routes_know_the_web_framework(service):
    """Rules and their helpers take plain arguments; routes.py alone speaks FastAPI (import-linter checks the
    named rooms transitively; this catches every helper module a concept grows)."""
    offenders = []
    for concept in concepts(service):
        for path in concept.rglob("*.py"):
            if path.name == "routes.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n == w or n.startswith(w + ".") for n in names for w in WEB):
                    offenders.append(f"{path.relative_to(ROOT)}: {names[0]}")
    assert not offenders, offenders


def test_tests_never_import_each_other():
    offenders = []
    for path in ROOT.glob("*/**/tests/**/test_*.py"):
        if ".venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.rsplit(".", 1)[-1].startswith("test_"):
                offenders.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert not offenders, offenders


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
            if lines > 400:
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
