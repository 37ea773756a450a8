"""`autarky bench store`: the store's write path against a plain upsert of the same rows, in the same run.

N series of P monthly periods are written in batches of B series through `Store.write_observations` into a fresh
database, three times: the first load, the same data again (nothing may be written), and with 1% of the values
revised (one revision row each). The anchor writes the same rows, in the same batches, with a plain
`INSERT ... ON CONFLICT DO UPDATE` through the bare driver into another fresh database. The values are a
deterministic function of series and period: the benchmark measures the write path, not the data.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from autarky.db import throwaway_database
from autarky.models import Source
from autarky.store import ObservationIn, SeriesSpec, Store

SOURCE = "bench"
PASSES = ("insert", "unchanged", "revised")
REVISED_SHARE = 0.01
_ANCHOR_SQL = ("INSERT INTO observation (series_id, period, value, vintage, retrieved_at, status) "
               "VALUES ({p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT (series_id, period) DO UPDATE SET "
               "value = excluded.value, vintage = excluded.vintage, retrieved_at = excluded.retrieved_at, "
               "status = excluded.status")


@dataclass(frozen=True)
class BenchShape:
    series: int = 1000
    periods: int = 1000
    batch: int = 10

    def keys(self) -> list[str]:
        return [f"{SOURCE}:S{number:05d}:WLD" for number in range(self.series)]

    def dates(self) -> list[dt.date]:
        return [dt.date(1900 + month // 12, month % 12 + 1, 1) for month in range(self.periods)]

    @property
    def rows(self) -> int:
        return self.series * self.periods


def _value(series: int, period: int, revised: bool) -> float:
    base = 1000.0 + series * 7.0 + period * 0.25
    return base * 1.01 if revised else base


def _is_revised(series: int, period: int) -> bool:
    """Every 100th cell (by a stride prime to the batch layout): 1% of the values."""
    return (series * 37 + period) % round(1 / REVISED_SHARE) == 0


def batches(shape: BenchShape, pass_name: str) -> Iterator[list[ObservationIn]]:
    keys, dates = shape.keys(), shape.dates()
    revised = pass_name == "revised"
    vintage = "bench-2" if revised else "bench-1"
    for start in range(0, shape.series, shape.batch):
        yield [ObservationIn(keys[s], dates[p], _value(s, p, revised and _is_revised(s, p)), vintage)
               for s in range(start, min(start + shape.batch, shape.series)) for p in range(shape.periods)]


def prepare(store: Store, shape: BenchShape) -> None:
    store.upgrade()
    with store.writing() as session:
        session.add(Source(code=SOURCE, name="store benchmark", base_url="", licence="", attribution=""))
    store.register_series([SeriesSpec(key=key, indicator=key.split(":")[1], country="WLD", source=SOURCE,
                                      frequency="M") for key in shape.keys()])


def _timed(work: Callable[[], int]) -> dict:
    began = time.perf_counter()
    rows = work()
    seconds = time.perf_counter() - began
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds) if seconds else None}


def store_passes(store: Store, shape: BenchShape) -> dict[str, dict]:
    """The three passes through the production write path; checks each did what it should."""
    expected = {"insert": (shape.rows, 0), "unchanged": (0, 0),
                "revised": (0, sum(_is_revised(s, p) for s in range(shape.series) for p in range(shape.periods)))}
    report = {}
    for name in PASSES:
        counts = [0, 0]
        prepared = list(batches(shape, name))

        def work() -> int:
            for rows in prepared:
                result = store.write_observations(rows, source=f"bench {name}")
                counts[0] += result.inserted
                counts[1] += result.updated
            return sum(len(rows) for rows in prepared)

        report[name] = _timed(work)
        if tuple(counts) != expected[name]:
            raise RuntimeError(f"bench pass {name}: inserted/updated {tuple(counts)}, expected {expected[name]}")
    return report


def anchor_pass(store: Store, shape: BenchShape) -> dict:
    """The same rows of the first load, in the same batches, by a plain upsert through the bare driver."""
    with store.engine.connect() as conn:
        ids = dict(conn.exec_driver_sql("SELECT key, id FROM series").all())
    now = dt.datetime.now(dt.timezone.utc)
    sqlite = store.engine.dialect.name == "sqlite"
    sql = _ANCHOR_SQL.format(p="?" if sqlite else "%s")
    prepared = [[(ids[r.series_key], r.period.isoformat() if sqlite else r.period, r.value, r.vintage,
                  now.strftime('%Y-%m-%d %H:%M:%S.%f') if sqlite else now, None) for r in rows] for rows in batches(shape, "insert")]
    raw = store.engine.raw_connection()
    try:
        connection = raw.driver_connection

        def work() -> int:
            for rows in prepared:
                cursor = connection.cursor()
                if sqlite:
                    cursor.execute("BEGIN IMMEDIATE")
                cursor.executemany(sql, rows)
                connection.commit()
                cursor.close()
            return sum(len(rows) for rows in prepared)

        return _timed(work)
    finally:
        raw.close()


@contextmanager
def fresh_database(url: str | None) -> Iterator[str]:
    """A fresh SQLite file in a temp folder (url None), or a new database on the PostgreSQL server of `url`."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="autarky-bench-") as folder:
            yield f"sqlite:///{Path(folder) / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return
    with throwaway_database(url, "autarky_bench") as created:
        yield created


def run_backend(shape: BenchShape, server_url: str | None = None) -> dict[str, dict]:
    """Store passes and anchor on one backend, each in its own fresh database."""
    with fresh_database(server_url) as url:
        store = Store(url)
        try:
            prepare(store, shape)
            report = store_passes(store, shape)
        finally:
            store.close()
    with fresh_database(server_url) as url:
        store = Store(url)
        try:
            prepare(store, shape)
            report["anchor"] = anchor_pass(store, shape)
        finally:
            store.close()
    for name in PASSES:
        anchor = report["anchor"]["rows_per_s"]
        report[name]["x_anchor"] = round(report[name]["rows_per_s"] / anchor, 2) if anchor else None
    return report


def run_bench(shape: BenchShape, database_url: str | None = None) -> dict:
    """SQLite always; PostgreSQL as well with `database_url` (a server URL: the bench makes its own database)."""
    report = {"shape": {"series": shape.series, "periods": shape.periods, "batch": shape.batch, "rows": shape.rows},
              **run_backend(shape)}
    if database_url:
        report["postgresql"] = run_backend(shape, database_url)
    return report


def format_table(report: dict) -> str:
    shape = report["shape"]
    lines = [f"{shape['rows']:,} rows: {shape['series']:,} series x {shape['periods']:,} periods, "
             f"batches of {shape['batch']} series",
             f"{'backend':10s} {'pass':10s} {'rows/s':>10s} {'seconds':>8s} {'x anchor':>8s}"]
    backends = [("sqlite", report)] + ([("postgresql", report["postgresql"])] if "postgresql" in report else [])
    for backend, figures in backends:
        for name in (*PASSES, "anchor"):
            row = figures[name]
            ratio = f"{row['x_anchor']:.2f}" if row.get("x_anchor") is not None else "-"
            lines.append(f"{backend:10s} {name:10s} {row['rows_per_s']:>10,} {row['seconds']:>8.2f} {ratio:>8s}")
    return "\n".join(lines)
