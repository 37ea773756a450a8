"""The layers: the kernel imports no stage, neither directly nor through a string; one module resolves text
references (the ones APScheduler needs), and no other module loads code by name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KERNEL = ("config", "catalog", "store", "errors", "db", "models", "schema", "snapshot", "supply_chain", "migrate",
          "store_bench", "logging_setup")
STAGES = ("collectors", "forecast", "dashboard", "alerts", "metrics", "events")
LOADERS = ("import_module", "ref_to_obj", "__import__")
RESOLVER = ROOT / "autarky" / "references.py"


def _stage_named(text: str) -> str | None:
    for stage in STAGES:
        if text == f"autarky.{stage}" or text.startswith(f"autarky.{stage}.") or text.startswith(f"autarky.{stage}:"):
            return stage
    return None


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + ([f"{node.module}.{a.name}" for a in node.names] if node.module == "autarky"
                                     else [])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]
        found += [f"{path.name}:{node.lineno}: {name!r}" for name in names if _stage_named(name)]
    return found


@pytest.mark.parametrize("module", KERNEL)
def test_kernel_module_imports_no_stage(module):
    path = ROOT / "autarky" / f"{module}.py"
    assert path.exists(), f"kernel module {module} moved: update KERNEL"
    assert _violations(path) == []


def test_the_rule_catches_a_direct_and_a_string_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('from autarky.metrics.definitions import x\nimport autarky.forecast\nENTRY = "autarky.alerts.engine:run"\n'
                   "from autarky import events\n")
    assert len(_violations(bad)) == 4


def test_only_the_resolver_loads_code_by_name():
    users = []
    for folder in ("autarky", "collectors", "forecast", "dashboard"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == RESOLVER or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
                if name in LOADERS:
                    users.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert users == []
