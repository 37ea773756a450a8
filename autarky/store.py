"""The store: one transaction per batch, revisions instead of silent overwrites, and a read API for everyone else."""

from __future__ import annotations

import datetime as dt
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

import pandas as pd
from sqlalchemy import Engine, bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from autarky import migrate
from autarky.catalog import WORLD, Catalog, Indicator, partner_series, series_key
from autarky.db import IMMEDIATE, create_database, is_sqlite, make_engine
from autarky.errors import BatchRejected
from autarky.models import CollectionRun, Observation, Revision, Series, Source, utcnow

# Values closer than this (relative) count as unchanged, so float round-trips do not create revisions.
REL_TOLERANCE = 1e-12
_PERIOD_PATTERNS = (
    (re.compile(r"^(\d{4})$"), lambda m: dt.date(int(m[1]), 1, 1)),
    (re.compile(r"^(\d{4})-?M?(\d{2})$"), lambda m: dt.date(int(m[1]), int(m[2]), 1)),
    (re.compile(r"^(\d{4})-?Q([1-4])$"), lambda m: dt.date(int(m[1]), 3 * int(m[2]) - 2, 1)),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), lambda m: dt.date(int(m[1]), int(m[2]), int(m[3]))),
)


@dataclass(frozen=True)
class ObservationIn:
    """One value to store: the series key, the period (date, year, 'YYYY-MM', 'YYYY-Qn'), the value, its vintage."""

    series_key: str
    period: Any
    value: Any
    vintage: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class SeriesSpec:
    """What a series is: registered before any of its observations are stored."""

    key: str
    indicator: str
    country: str
    source: str
    name: str = ""
    unit: str = ""
    frequency: str = "A"
    category: str = ""
    direction: int = 0
    formula: str | None = None
    inputs: list[str] | None = None
    partner: str | None = None
    flow: str | None = None
    hs: str | None = None

    @classmethod
    def for_indicator(cls, indicator: Indicator, country: str, partner: str | None = None) -> "SeriesSpec":
        """The series of one indicator for one reporter, with partner World (None) or one partner ISO3."""
        partner = None if partner == WORLD else partner
        return cls(key=series_key(indicator.source, indicator.code, country, partner), indicator=indicator.code,
                   country=country, source=indicator.source, name=indicator.name, unit=indicator.unit,
                   frequency=indicator.frequency, category=indicator.category, direction=indicator.direction,
                   formula=indicator.formula or None, inputs=list(indicator.inputs) or None, partner=partner,
                   flow=indicator.flow, hs=indicator.hs)


@dataclass
class BatchResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_series: frozenset[str] = frozenset()

    def __add__(self, other: "BatchResult") -> "BatchResult":
        return BatchResult(self.inserted + other.inserted, self.updated + other.updated,
                           self.unchanged + other.unchanged, self.changed_series | other.changed_series)


def parse_period(raw: Any) -> dt.date:
    """Period start date from a date, a year, 'YYYY', 'YYYY-MM', 'YYYYMM', 'YYYY-Qn' or 'YYYY-MM-DD'."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, str):
        text = raw.strip()
        for pattern, build in _PERIOD_PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    return build(match)
                except ValueError:
                    break
    raise ValueError(f"period {raw!r} is not a date, a year, YYYY-MM or YYYY-Qn")


def format_period(period: dt.date, frequency: str) -> str:
    """The label of a period start: 2021 for annual, 2021-Q1 for quarterly, 2021-03 for monthly data."""
    if frequency == "A":
        return f"{period.year}"
    if frequency == "Q":
        return f"{period.year}-Q{(period.month - 1) // 3 + 1}"
    if frequency == "M":
        return f"{period.year}-{period.month:02d}"
    return period.isoformat()[:10]


def parse_value(raw: Any) -> float:
    """A finite float, or ValueError naming what was wrong."""
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"value {raw!r} is not a number")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"value {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"value {raw!r} is not finite")
    return value


def same_value(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=REL_TOLERANCE, abs_tol=0.0)


class Store:
    """All reads and writes of the database go through here."""

    def __init__(self, url_or_engine: str | Engine):
        self.engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    # ------------------------------------------------------------------ lifecycle
    def upgrade(self) -> None:
        """Create or upgrade the schema (idempotent); the only call that may create the database file."""
        create_database(self.engine.url)
        migrate.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE on SQLite); commits on success, rolls back on any error."""
        connection = self.engine.connect()
        if is_sqlite(self.engine):
            connection = connection.execution_options(**{IMMEDIATE: True})
        try:
            with Session(bind=connection, expire_on_commit=False) as session:
                with session.begin():
                    yield session
        finally:
            connection.close()

    # ------------------------------------------------------------------ registration
    def register_catalog(self, catalog: Catalog, indicators: Iterable[Indicator] | None = None) -> int:
        """Sources and series for the catalog (or the given indicators); returns how many series were new."""
        chosen = list(indicators) if indicators is not None else list(catalog.indicators.values())
        self.register_sources(catalog)
        return self.register_series([SeriesSpec.for_indicator(ind, country, partner) for ind in chosen
                                     for country, partner in partner_series(ind)])

    def register_sources(self, catalog: Catalog) -> None:
        with self.writing() as session:
            existing = {s.code: s for s in session.scalars(select(Source))}
            for code, spec in catalog.sources.items():
                row = existing.get(code) or Source(code=code)
                row.name, row.base_url = spec.name, spec.base_url
                row.licence, row.attribution = spec.licence, spec.attribution
                session.add(row)

    def register_series(self, specs: Sequence[SeriesSpec]) -> int:
        """Create missing series and refresh the descriptions of existing ones; returns how many were new."""
        if not specs:
            return 0
        with self.writing() as session:
            sources = {s.code: s.id for s in session.scalars(select(Source))}
            existing = {s.key: s for s in session.scalars(select(Series))}
            created = 0
            for spec in specs:
                if spec.source not in sources:
                    raise BatchRejected(f"series {spec.key}: unknown source {spec.source!r}")
                row = existing.get(spec.key)
                if row is None:
                    row = Series(key=spec.key)
                    existing[spec.key] = row
                    created += 1
                row.indicator, row.country, row.name, row.unit = spec.indicator, spec.country, spec.name, spec.unit
                row.frequency, row.category, row.direction = spec.frequency, spec.category, spec.direction
                row.source_id, row.formula, row.inputs = sources[spec.source], spec.formula, spec.inputs
                row.partner, row.flow, row.hs = spec.partner, spec.flow, spec.hs
                session.add(row)
        return created

    # ------------------------------------------------------------------ writes
    def write_observations(self, rows: Sequence[ObservationIn], *, source: str = "",
                           run_id: int | None = None) -> BatchResult:
        """Store one batch in one transaction: validate every row first; any bad row rejects the whole batch."""
        label = f"source {source}: " if source else ""
        with self.writing() as session:
            ids = dict(session.execute(select(Series.key, Series.id)).all())
            clean: dict[tuple[int, dt.date], tuple[str, float, str | None, str | None]] = {}
            for number, row in enumerate(rows, start=1):
                where = f"{label}row {number} (series {row.series_key}, period {row.period!r})"
                if row.series_key not in ids:
                    raise BatchRejected(f"{where}: unknown series {row.series_key!r}; batch rejected, nothing stored")
                try:
                    period, value = parse_period(row.period), parse_value(row.value)
                except ValueError as exc:
                    raise BatchRejected(f"{where}: {exc}; batch rejected, nothing stored") from None
                slot = (ids[row.series_key], period)
                if slot in clean:
                    raise BatchRejected(f"{where}: duplicate of an earlier row in the batch; batch rejected, "
                                        "nothing stored")
                clean[slot] = (row.series_key, value, row.vintage, row.status)
            return self._apply(session, clean, run_id)

    def _apply(self, session: Session, clean: dict, run_id: int | None) -> BatchResult:
        series_ids = {sid for sid, _ in clean}
        # Plain tuples, not ORM objects: an unchanged pass reads every existing row and writes nothing.
        existing: dict[tuple[int, dt.date], tuple[int, float, str | None]] = {}
        table = Observation.__table__
        for chunk in _chunks(sorted(series_ids), 500):
            query = select(table.c.series_id, table.c.period, table.c.id, table.c.value, table.c.vintage)
            for sid, period, oid, value, vintage in session.execute(query.where(table.c.series_id.in_(chunk))):
                existing[(sid, period)] = (oid, value, vintage)
        result, changed, now = BatchResult(), set(), utcnow()
        inserts, updates, revisions = [], [], []
        for (sid, period), (key, value, vintage, status) in clean.items():
            old = existing.get((sid, period))
            if old is None:
                inserts.append(dict(series_id=sid, period=period, value=value, vintage=vintage,
                                    retrieved_at=now, status=status))
                result.inserted += 1
                changed.add(key)
            elif same_value(old[1], value):
                result.unchanged += 1
            else:
                revisions.append(dict(series_id=sid, period=period, old_value=old[1], new_value=value,
                                      old_vintage=old[2], new_vintage=vintage, revised_at=now, run_id=run_id))
                updates.append(dict(oid=old[0], value=value, vintage=vintage, retrieved_at=now, status=status))
                result.updated += 1
                changed.add(key)
        if inserts:
            session.execute(table.insert(), inserts)
        if updates:
            session.execute(update(table).where(table.c.id == bindparam("oid"))
                            .values(value=bindparam("value"), vintage=bindparam("vintage"),
                                    retrieved_at=bindparam("retrieved_at"), status=bindparam("status")), updates)
        if revisions:
            session.execute(Revision.__table__.insert(), revisions)
        result.changed_series = frozenset(changed)
        return result

    # ------------------------------------------------------------------ collection runs
    def start_run(self, source: str) -> int:
        with self.writing() as session:
            run = CollectionRun(source=source, started_at=utcnow(), status="running")
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, result: BatchResult | None = None, *, error: str | None = None,
                   rejected: int = 0) -> None:
        with self.writing() as session:
            run = session.get(CollectionRun, run_id)
            run.finished_at = utcnow()
            run.status = "failed" if error else "ok"
            run.error = error
            run.rejected = rejected
            if result is not None:
                run.inserted, run.updated, run.unchanged = result.inserted, result.updated, result.unchanged

    # ------------------------------------------------------------------ reads
    def observations(self, *, keys: Iterable[str] | None = None, indicators: Iterable[str] | None = None,
                     countries: Iterable[str] | None = None, since: dt.date | None = None) -> pd.DataFrame:
        """Long table: series_key, indicator, country, partner, period, value, unit, source, vintage, frequency.

        `partner` is the partner ISO3 of a bilateral series, WLD for partner World."""
        query = (select(Series.key.label("series_key"), Series.indicator, Series.country,
                        func.coalesce(Series.partner, WORLD).label("partner"), Observation.period, Observation.value, Series.unit, Source.code.label("source"),
                        Observation.vintage, Series.frequency)
                 .join(Observation, Observation.series_id == Series.id)
                 .join(Source, Source.id == Series.source_id))
        query = _filter_series(query, keys, indicators, countries)
        if since is not None:
            query = query.where(Observation.period >= since)
        query = query.order_by(Series.key, Observation.period)
        with self.reading() as session:
            rows = session.execute(query).all()
        frame = pd.DataFrame(rows, columns=["series_key", "indicator", "country", "partner", "period", "value",
                                            "unit", "source", "vintage", "frequency"])
        frame["period"] = pd.to_datetime(frame["period"])
        return frame

    def series(self, *, keys: Iterable[str] | None = None, indicators: Iterable[str] | None = None,
               countries: Iterable[str] | None = None) -> pd.DataFrame:
        """One row per series with its observation count, first and last period (derived: formula and input keys)."""
        query = (select(Series.key, Series.indicator, Series.country, Series.name, Series.unit, Series.frequency,
                        Series.category, Series.direction, Source.code.label("source"), Series.formula,
                        Series.inputs, func.coalesce(Series.partner, WORLD).label("partner"), Series.flow,
                        Series.hs, func.count(Observation.id).label("observations"),
                        func.min(Observation.period).label("first_period"),
                        func.max(Observation.period).label("last_period"))
                 .join(Source, Source.id == Series.source_id)
                 .outerjoin(Observation, Observation.series_id == Series.id)
                 .group_by(Series.id, Source.code).order_by(Series.key))
        query = _filter_series(query, keys, indicators, countries)
        with self.reading() as session:
            rows = session.execute(query).mappings().all()
        return pd.DataFrame(rows, columns=["key", "indicator", "country", "name", "unit", "frequency", "category",
                                           "direction", "source", "formula", "inputs", "partner", "flow", "hs",
                                           "observations", "first_period", "last_period"])

    def revisions(self, *, keys: Iterable[str] | None = None, limit: int | None = None) -> pd.DataFrame:
        query = (select(Series.key.label("series_key"), Revision.period, Revision.old_value, Revision.new_value,
                        Revision.old_vintage, Revision.new_vintage, Revision.revised_at, Revision.run_id)
                 .join(Series, Series.id == Revision.series_id)
                 .order_by(Revision.revised_at.desc(), Revision.id.desc()))
        if keys is not None:
            query = query.where(Series.key.in_(list(keys)))
        if limit:
            query = query.limit(limit)
        with self.reading() as session:
            rows = session.execute(query).all()
        return pd.DataFrame(rows, columns=["series_key", "period", "old_value", "new_value", "old_vintage",
                                           "new_vintage", "revised_at", "run_id"])

    def changed_since(self, when: dt.datetime) -> frozenset[str]:
        """Keys of the series with a value stored or revised at or after `when` (naive means UTC)."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        query = (select(Series.key).join(Observation, Observation.series_id == Series.id)
                 .where(Observation.retrieved_at >= when).distinct())
        with self.reading() as session:
            return frozenset(session.scalars(query).all())

    def runs(self, *, source: str | None = None, limit: int | None = None) -> pd.DataFrame:
        query = select(CollectionRun).order_by(CollectionRun.started_at.desc(), CollectionRun.id.desc())
        if source:
            query = query.where(CollectionRun.source == source)
        if limit:
            query = query.limit(limit)
        with self.reading() as session:
            runs = session.scalars(query).all()
        columns = ["id", "source", "started_at", "finished_at", "status", "inserted", "updated", "unchanged",
                   "rejected", "error"]
        return pd.DataFrame([{c: getattr(r, c) for c in columns} for r in runs], columns=columns)

    def sources(self) -> pd.DataFrame:
        with self.reading() as session:
            rows = session.scalars(select(Source).order_by(Source.code)).all()
        columns = ["code", "name", "base_url", "licence", "attribution"]
        return pd.DataFrame([{c: getattr(r, c) for c in columns} for r in rows], columns=columns)


def _filter_series(query, keys, indicators, countries):  # noqa: ANN001, ANN202
    if keys is not None:
        query = query.where(Series.key.in_(list(keys)))
    if indicators is not None:
        query = query.where(Series.indicator.in_(list(indicators)))
    if countries is not None:
        query = query.where(Series.country.in_(list(countries)))
    return query


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def open_store(database_url: str, *, upgrade: bool = False) -> Store:
    store = Store(database_url)
    if upgrade:
        store.upgrade()
    return store
