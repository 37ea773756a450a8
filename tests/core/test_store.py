"""The store on SQLite and PostgreSQL: batches are atomic, unchanged values write nothing, changes keep revisions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect

from autarky.errors import BatchRejected
from autarky.store import ObservationIn, SeriesSpec


@pytest.fixture
def seeded(store, catalog):
    store.register_sources(catalog)
    store.register_series([SeriesSpec.for_indicator(catalog.indicator("IP.PAT.RESD"), c) for c in ("CHN", "USA")])
    return store


def _batch(values, vintage="v1"):
    return [ObservationIn("wb:IP.PAT.RESD:CHN", year, value, vintage) for year, value in values.items()]


def test_upgrade_creates_core_tables_and_is_idempotent(store):
    store.upgrade()
    tables = set(inspect(store.engine).get_table_names())
    assert {"source", "series", "observation", "revision", "collection_run"} <= tables


def test_insert_then_unchanged_writes_nothing(seeded):
    first = seeded.write_observations(_batch({2020: 1344817, 2021: 1426644}))
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert first.changed_series == {"wb:IP.PAT.RESD:CHN"}
    again = seeded.write_observations(_batch({2020: 1344817, 2021: "1426644"}, vintage="v2"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert again.changed_series == frozenset()
    assert seeded.revisions().empty
    assert set(seeded.observations()["vintage"]) == {"v1"}


def test_changed_value_records_exactly_one_revision(seeded):
    seeded.write_observations(_batch({2020: 1344817, 2021: 1426644}, vintage="2025-07-01"))
    result = seeded.write_observations(_batch({2020: 1344817, 2021: 1400000}, vintage="2026-07-01"))
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    revisions = seeded.revisions()
    assert len(revisions) == 1
    rev = revisions.iloc[0]
    assert rev.series_key == "wb:IP.PAT.RESD:CHN"
    assert rev.period == dt.date(2021, 1, 1)
    assert (rev.old_value, rev.new_value) == (1426644, 1400000)
    assert (rev.old_vintage, rev.new_vintage) == ("2025-07-01", "2026-07-01")
    stored = seeded.observations(keys=["wb:IP.PAT.RESD:CHN"]).set_index("period")["value"]
    assert stored[dt.datetime(2021, 1, 1)] == 1400000


@pytest.mark.parametrize("bad_row, message", [
    (ObservationIn("wb:IP.PAT.RESD:CHN", 2019, "n/a"), "row 3 (series wb:IP.PAT.RESD:CHN, period 2019): value 'n/a'"),
    (ObservationIn("wb:IP.PAT.RESD:XXX", 2019, 5), "row 3 (series wb:IP.PAT.RESD:XXX, period 2019): unknown series"),
    (ObservationIn("wb:IP.PAT.RESD:CHN", "20x9", 5), "row 3 (series wb:IP.PAT.RESD:CHN, period '20x9'): period"),
    (ObservationIn("wb:IP.PAT.RESD:CHN", 2019, float("nan")), "value nan is not finite"),
    (ObservationIn("wb:IP.PAT.RESD:CHN", 2020, 1), "row 3 (series wb:IP.PAT.RESD:CHN, period 2020): duplicate"),
])
def test_bad_row_rejects_whole_batch_and_changes_nothing(seeded, bad_row, message):
    seeded.write_observations(_batch({2020: 1344817}))
    before = seeded.observations()
    batch = [ObservationIn("wb:IP.PAT.RESD:USA", 2021, 591473), *_batch({2020: 999}), bad_row]
    with pytest.raises(BatchRejected) as info:
        seeded.write_observations(batch, source="wb")
    assert message in str(info.value)
    assert "source wb" in str(info.value)
    after = seeded.observations()
    assert after.equals(before)
    assert seeded.revisions().empty


def test_failure_mid_write_rolls_back(seeded, monkeypatch):
    """A crash after some rows were written leaves nothing behind."""
    from autarky import store as store_module

    seeded.write_observations(_batch({2019: 1}))
    original = store_module.Store._apply

    def crash(self, session, clean, run_id):
        original(self, session, clean, run_id)
        raise RuntimeError("simulated crash after writing")

    monkeypatch.setattr(store_module.Store, "_apply", crash)
    with pytest.raises(RuntimeError):
        seeded.write_observations(_batch({2019: 2, 2020: 3}))
    stored = seeded.observations()
    assert list(stored["value"]) == [1]
    assert seeded.revisions().empty


def test_runs_are_logged(seeded):
    run_id = seeded.start_run("wb")
    result = seeded.write_observations(_batch({2021: 1426644}), run_id=run_id)
    seeded.finish_run(run_id, result)
    failed = seeded.start_run("wb")
    seeded.finish_run(failed, error="HTTP 500 from api", rejected=3)
    runs = seeded.runs()
    assert list(runs["status"]) == ["failed", "ok"]
    assert runs.iloc[0]["error"] == "HTTP 500 from api"
    assert runs.iloc[0]["rejected"] == 3
    assert runs.iloc[1]["inserted"] == 1


def test_series_summary(seeded):
    seeded.write_observations(_batch({2019: 1, 2021: 3}))
    summary = seeded.series().set_index("key")
    assert summary.loc["wb:IP.PAT.RESD:CHN", "observations"] == 2
    assert summary.loc["wb:IP.PAT.RESD:CHN", "last_period"] == dt.date(2021, 1, 1)
    assert summary.loc["wb:IP.PAT.RESD:USA", "observations"] == 0
