"""`autarky bench store` runs end to end on a tiny shape and writes the report's JSON shape (no timing asserted)."""

from __future__ import annotations

import json
import os

import pytest

from tests.support.databases import POSTGRES_ENV
from tests.support.serving import run

PASSES = ("insert", "unchanged", "revised", "anchor")


def _check(figures: dict, rows: int) -> None:
    assert set(PASSES) <= set(figures)
    for name in PASSES:
        assert figures[name]["rows"] == rows
        assert figures[name]["rows_per_s"] > 0


def test_bench_store_tiny_writes_json(tmp_path):
    output = tmp_path / "store.json"
    out = run("bench", "store", "--series", "3", "--periods", "20", "--batch", "2", "--output", str(output)).stdout
    assert "60 rows: 3 series x 20 periods, batches of 2 series" in out
    for name in PASSES:
        assert f"sqlite     {name}" in out
    report = json.loads(output.read_text())
    assert report["shape"] == {"series": 3, "periods": 20, "batch": 2, "rows": 60}
    _check(report, 60)
    assert "postgresql" not in report


def test_bench_store_postgresql_too(tmp_path):
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"the PostgreSQL bench needs {POSTGRES_ENV}")
    output = tmp_path / "store.json"
    run("bench", "store", "--series", "2", "--periods", "10", "--database-url", server, "--output", str(output))
    report = json.loads(output.read_text())
    _check(report, 20)
    _check(report["postgresql"], 20)


def test_bench_passes_do_what_they_say(tmp_path):
    """The unchanged pass stores nothing new; the revised pass leaves one revision row per revised value."""
    from autarky.store import Store
    from autarky.store_bench import BenchShape, prepare, store_passes

    shape = BenchShape(series=4, periods=50, batch=3)
    store = Store(f"sqlite:///{tmp_path / 'bench.db'}")
    prepare(store, shape)
    store_passes(store, shape)  # raises if a pass's inserted/updated counts are not the expected ones
    revisions = store.revisions()
    assert len(revisions) == 2  # 1% of 200 values
    assert set(revisions["old_vintage"]) == {"bench-1"} and set(revisions["new_vintage"]) == {"bench-2"}
    assert len(store.observations()) == 200
    store.close()
