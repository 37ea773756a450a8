"""The dashboard reads only through the read functions of the kernel and the stages: no dashboard module imports
SQLAlchemy, a table module or an ORM class (checked on the syntax tree, like tests/core/test_layers.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from autarky import tables  # noqa: F401  (every table module imported, so the registry names every ORM class)
from autarky.models import Base

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard"
# The modules that define tables: importing anything from them is reading around the read functions.
TABLE_MODULES = {mapper.class_.__module__ for mapper in Base.registry.mappers} | {"autarky.schema", "autarky.tables"}
ORM_CLASSES = {mapper.class_.__name__ for mapper in Base.registry.mappers}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules, names = [alias.name for alias in node.names], []
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules, names = [node.module], [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            if module == "sqlalchemy" or module.startswith("sqlalchemy."):
                found.append(f"{path.name}:{node.lineno}: imports {module}")
            elif module in TABLE_MODULES or any(f"{module}.{name}" in TABLE_MODULES for name in names):
                found.append(f"{path.name}:{node.lineno}: imports the table module {module}")
        found += [f"{path.name}:{node.lineno}: imports the ORM class {name}" for name in names if name in ORM_CLASSES]
    return found


def test_the_registry_knows_the_tables_of_every_stage():
    assert {"autarky.models", "autarky.forecast.tables", "autarky.alerts.models", "autarky.metrics.models",
            "autarky.events.models", "autarky.collectors.models"} <= TABLE_MODULES
    assert {"Observation", "ForecastRun", "AlertState", "Outbox"} <= ORM_CLASSES


@pytest.mark.parametrize("path", sorted(DASHBOARD.rglob("*.py")), ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_dashboard_module_reads_through_read_functions(path):
    assert _violations(path) == []


def test_the_rule_catches_sqlalchemy_table_modules_and_orm_classes(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from sqlalchemy import select\nimport sqlalchemy.exc\nfrom autarky.models import Series\n"
                   "from autarky.alerts import models\nfrom autarky.store import Observation\n"
                   "from autarky.forecast.read import latest_runs\n")
    flagged = {int(found.split(":")[1]) for found in _violations(bad)}
    assert flagged == {1, 2, 3, 4, 5}  # not line 6: a read function is the way in
