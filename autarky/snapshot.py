"""Load the bundled real-data snapshot (autarky/data/snapshot) into the store."""

from __future__ import annotations

import csv
from importlib import resources

from autarky.catalog import Catalog, series_key
from autarky.store import BatchResult, ObservationIn, SeriesSpec, Store

# file -> (source code, vintage label naming the exact upstream commit the figures come from)
SNAPSHOT_FILES = {
    "wdi.csv": ("wb", "wdi-extract@4ebec5a2273f"),
    "ncses.csv": ("ncses", "ncses-sei@1f879ab65ed2"),
}


def snapshot_rows(file_name: str) -> list[dict[str, str]]:
    text = resources.files("autarky.data").joinpath("snapshot").joinpath(file_name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_snapshot(store: Store, catalog: Catalog) -> dict[str, BatchResult]:
    """Register the snapshot's series and store its values, one transaction per source; returns counts per source."""
    store.register_sources(catalog)
    results = {}
    for file_name, (source, vintage) in SNAPSHOT_FILES.items():
        rows = snapshot_rows(file_name)
        pairs = sorted({(r["indicator"], r["country"]) for r in rows})
        store.register_series([SeriesSpec.for_indicator(catalog.indicator(code), country) for code, country in pairs])
        batch = [ObservationIn(series_key(source, r["indicator"], r["country"]), int(r["year"]), r["value"], vintage)
                 for r in rows]
        run_id = store.start_run(f"snapshot:{source}")
        try:
            result = store.write_observations(batch, source=f"snapshot {file_name}", run_id=run_id)
        except Exception as exc:
            store.finish_run(run_id, error=str(exc))
            raise
        store.finish_run(run_id, result)
        results[source] = result
    return results
