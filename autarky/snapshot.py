"""Load the bundled real-data snapshot (autarky/data/snapshot) into the store."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterable, Mapping

from autarky.catalog import Catalog, series_key
from autarky.config import Config, read_section, setting
from autarky.store import BatchResult, ObservationIn, SeriesSpec, Store


@dataclass(frozen=True)
class SnapshotFile:
    """One bundled file: its source code, the vintage naming the exact upstream release, and the part it belongs to
    (a deployment can leave a part out with config `[snapshot] exclude = ["cset"]`)."""

    source: str
    vintage: str
    part: str


SNAPSHOT_FILES = {
    "wdi.csv": SnapshotFile("wb", "wdi-extract@4ebec5a2273f", "core"),
    "ncses.csv": SnapshotFile("ncses", "ncses-sei@1f879ab65ed2", "core"),
    "gacc.csv": SnapshotFile("gacc", "gacc-8486@f05f333ea67a", "chips"),
    "kortrade.csv": SnapshotFile("kortrade", "kortrade-8486-8542@bf156f192d4d", "chips"),
    "comtrade.csv": SnapshotFile("comtrade", "comtrade-download-2021-08-16@7bacd4075044", "chips"),
    "comtrade_bilateral.csv": SnapshotFile("comtrade", "comtrade-get-chn-usa-8542@db7d10364657", "chips"),
    # CC BY-NC 4.0, unlike everything else: its own part so that it can be left out.
    "cset.csv": SnapshotFile("cset", "cset-eto-chip-explorer@46e010644c23", "cset"),
}
PARTS = frozenset(f.part for f in SNAPSHOT_FILES.values())


def snapshot_rows(file_name: str) -> list[dict[str, str]]:
    text = resources.files("autarky.data").joinpath("snapshot").joinpath(file_name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _known_parts(parts: tuple[str, ...]) -> tuple[str, ...]:
    unknown = sorted(set(parts) - PARTS)
    if unknown:
        raise ValueError(f"unknown part {unknown[0]!r} (known: {', '.join(sorted(PARTS))})")
    return parts


@dataclass(frozen=True)
class SnapshotSection:
    """The `[snapshot]` table: the bundled parts `autarky init` leaves out."""

    exclude: tuple[str, ...] = setting((), expected="a list of part names", check=_known_parts)


def excluded_parts(settings: Config | Mapping[str, Any]) -> frozenset[str]:
    """The parts named in config `[snapshot] exclude` (the config, or its `[snapshot]` table), checked."""
    section = settings.read(SnapshotSection, "snapshot") if isinstance(settings, Config) else \
        read_section(SnapshotSection, settings, "snapshot")
    return frozenset(section.exclude)


def _row_key(row: dict[str, str]) -> tuple[str, str, str | None]:
    return row["indicator"], row["country"], row.get("partner") or None


def load_snapshot(store: Store, catalog: Catalog, exclude: Iterable[str] = ()) -> dict[str, BatchResult]:
    """Register the snapshot's series and store its values, one transaction per file; returns counts per source.

    Files of an excluded part are not read at all."""
    store.register_sources(catalog)
    results: dict[str, BatchResult] = {}
    skipped = set(exclude)
    for file_name, file in SNAPSHOT_FILES.items():
        if file.part in skipped:
            continue
        rows = snapshot_rows(file_name)
        triples = sorted({_row_key(r) for r in rows}, key=lambda t: (t[0], t[1], t[2] or ""))
        store.register_series([SeriesSpec.for_indicator(catalog.indicator(code), country, partner)
                               for code, country, partner in triples])
        batch = [ObservationIn(series_key(file.source, *_row_key(r)), r.get("period") or r["year"],
                               r["value"], file.vintage) for r in rows]
        run_id = store.start_run(f"snapshot:{file.source}")
        try:
            result = store.write_observations(batch, source=f"snapshot {file_name}", run_id=run_id)
        except Exception as exc:
            store.finish_run(run_id, error=str(exc))
            raise
        store.finish_run(run_id, result)
        results[file.source] = results[file.source] + result if file.source in results else result
    return results
