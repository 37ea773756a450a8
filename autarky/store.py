"""The store: one transaction per batch, revisions instead of silent overwrites, and a read API for everyone else."""

from __future__ import annotations

import datetime as dt
import math
import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

import pandas as pd
from sqlalchemy import Engine, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from autarky import migrate
from autarky.catalog import WORLD, Catalog, Indicator, partner_series, series_key
from autarky.db import IMMEDIATE, create_database, is_sqlite, make_engine
from autarky.errors import BatchRejected
from autarky.models import CollectionRun, Observation, PendingDownstream, Revision, Series, Source, utcnow
from autarky.periods import parse_period

# Values closer than this (relative) count as unchanged, so float round-trips do not create revisions.
REL_TOLERANCE = 1e-12
# A `running` collection run whose heartbeat is older than this belongs to a dead process (on any host).
STALE_RUN_SECONDS = 3600.0


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
    def write_observations(self, rows: Sequence[ObservationIn], *, source: str = "", run_id: int | None = None,
                           pending: bool = False) -> BatchResult:
        """Store one batch in one transaction: validate every row first; any bad row rejects the whole batch.

        Only what changed is written: new rows inserted, changed values updated with one revision row each (old and
        new value and vintage), unchanged values not touched. Rows are compared with the stored ones as plain
        tuples and written by driver-level executemany: SQLAlchemy's per-row work would cost more than SQLite's.
        With `pending`, the changed series are marked in pending_downstream in the same transaction, so the marks
        exist exactly when the change does (a process killed after the commit leaves both, before it neither)."""
        with self.writing() as session:
            connection = session.connection()
            ids = dict(connection.execute(select(Series.key, Series.id)).all())
            existing = _stored(connection, {ids.get(row.series_key) for row in rows} - {None})
            plan = _plan(rows, ids, existing, f"source {source}: " if source else "",
                         _WriteSql.for_dialect(connection.dialect), run_id)
            plan.mark_pending = pending
            return self._apply(session, plan, run_id)

    def _apply(self, session: Session, plan: "_WritePlan", run_id: int | None) -> BatchResult:
        """Write a validated plan inside the batch's transaction (nothing is written before every row passed)."""
        connection = session.connection()
        copy = connection.dialect.driver == "psycopg"
        for statement, params in ((plan.sql.insert, plan.inserts), (plan.sql.update, plan.updates),
                                  (plan.sql.revision, plan.revisions)):
            if not params:
                continue
            if copy and statement.startswith("INSERT"):
                _copy_rows(connection, statement, params)
            else:
                connection.exec_driver_sql(statement, params)
        if plan.mark_pending:
            _mark_pending(connection, plan.result.changed_series)
        return plan.result

    # ------------------------------------------------------------------ pending downstream work
    def mark_pending(self, keys: Iterable[str]) -> None:
        """Mark series for the downstream chain (write_observations(pending=True) does it inside the batch)."""
        with self.writing() as session:
            _mark_pending(session.connection(), keys)

    def pending_downstream(self) -> dict[str, dt.datetime]:
        """The series waiting for the downstream chain, with when each was (last) marked."""
        table = PendingDownstream.__table__
        with self.reading() as session:
            return dict(session.execute(select(table.c.series_key, table.c.marked_at)).all())

    def clear_pending(self, marks: dict[str, dt.datetime]) -> None:
        """Clear the marks the downstream chain ran on; a series marked again since (by a batch committed while
        the chain ran) keeps its newer mark."""
        if not marks:
            return
        table = PendingDownstream.__table__
        with self.writing() as session:
            session.execute(delete(table).where(table.c.series_key == bindparam("key"),
                                                table.c.marked_at == bindparam("at")),
                            [{"key": key, "at": at} for key, at in marks.items()])

    # ------------------------------------------------------------------ collection runs
    def start_run(self, source: str) -> int:
        """A `running` row for this process (host, pid, heartbeat), so a later command can tell if it died."""
        with self.writing() as session:
            now = utcnow()
            run = CollectionRun(source=source, started_at=now, status="running", host=socket.gethostname(),
                                pid=os.getpid(), heartbeat_at=now)
            session.add(run)
            session.flush()
            return run.id

    def heartbeat_run(self, run_id: int) -> None:
        with self.writing() as session:
            session.execute(update(CollectionRun).where(CollectionRun.id == run_id)
                            .values(heartbeat_at=utcnow()))

    def mark_interrupted_runs(self, *, stale_after: float = STALE_RUN_SECONDS) -> list[str]:
        """Mark `interrupted` every run left `running` by a dead process: its pid is gone on this host, or its
        heartbeat is older than `stale_after` seconds. Its counts become what it left behind (its revisions);
        returns one line per run marked."""
        now, host = utcnow(), socket.gethostname()
        marked = []
        with self.writing() as session:
            for run in session.scalars(select(CollectionRun).where(CollectionRun.status == "running")):
                beat = _aware(run.heartbeat_at or run.started_at)
                quiet = (now - beat).total_seconds()
                if run.host == host and run.pid is not None and not _process_alive(run.pid):
                    why = f"its process {run.pid} on {host} is gone"
                elif quiet > stale_after:
                    why = f"no heartbeat for {quiet:.0f} s (pid {run.pid} on {run.host})"
                else:
                    continue
                run.status, run.finished_at = "interrupted", now
                run.error = f"interrupted: {why}; last heartbeat {beat:%Y-%m-%d %H:%M:%S} UTC"
                run.updated = session.scalar(select(func.count()).select_from(Revision)
                                             .where(Revision.run_id == run.id)) or 0
                marked.append(f"collection run {run.id} ({run.source}) {run.error}")
        return marked

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

    def series_updates(self, keys: Iterable[str] | None = None) -> pd.DataFrame:
        """Per series: when its data last changed here (newest retrieved_at) and the newest source vintage."""
        query = (select(Series.key, Source.code, func.max(Observation.retrieved_at), func.max(Observation.vintage))
                 .join(Observation, Observation.series_id == Series.id).join(Source, Source.id == Series.source_id)
                 .group_by(Series.key, Source.code))
        if keys is not None:
            query = query.where(Series.key.in_(list(keys)))
        with self.reading() as session:
            rows = session.execute(query).all()
        frame = pd.DataFrame(rows, columns=["series_key", "source", "last_update", "vintage"])
        frame["last_update"] = pd.to_datetime(frame["last_update"], utc=True)
        return frame

    def data_version(self) -> tuple[str, ...]:
        """A cheap token that changes whenever the kernel's tables change: the newest ids of series, observations,
        revisions and runs, and the newest run end. Every update of an observation writes a revision row, so
        observations and revisions cover inserts and updates. The second item is empty while no observation is
        stored. Raises the database's error when the schema is missing (see autarky.db.SCHEMA_ERRORS)."""
        return newest_values(self, Series.id, Observation.id, Revision.id, CollectionRun.id, CollectionRun.finished_at)

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


def newest_values(store: Store, *columns: Any) -> tuple[str, ...]:
    """The newest value of each column in one query, as text ("" for an empty table): the data-version tokens of
    the kernel (Store.data_version) and of each stage's read module."""
    with store.reading() as session:
        row = session.execute(select(*[select(func.max(column)).scalar_subquery() for column in columns])).one()
    return tuple("" if value is None else str(value) for value in row)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _stored(connection, series_ids: set[int]) -> dict[tuple[int, dt.date], tuple[int, float, str | None]]:  # noqa: ANN001
    """(series id, period) -> (observation id, value, vintage) of the stored rows of these series."""
    table = Observation.__table__
    existing: dict[tuple[int, dt.date], tuple[int, float, str | None]] = {}
    query = select(table.c.series_id, table.c.period, table.c.id, table.c.value, table.c.vintage)
    for chunk in _chunks(sorted(series_ids), 500):
        for sid, period, oid, value, vintage in connection.execute(query.where(table.c.series_id.in_(chunk))):
            existing[(sid, period)] = (oid, value, vintage)
    return existing


def _copy_rows(connection, insert: str, rows: list[tuple]) -> None:  # noqa: ANN001
    """PostgreSQL: new rows through COPY on the batch's own connection, so inside its transaction (a failure rolls
    back the whole batch as an INSERT would) and several times faster than executemany on a first load."""
    table_and_columns = insert.removeprefix("INSERT INTO ").split(" VALUES ")[0]
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table_and_columns} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


@dataclass
class _WritePlan:
    sql: "_WriteSql"
    inserts: list[tuple]
    updates: list[tuple]
    revisions: list[tuple]
    result: BatchResult
    mark_pending: bool = False


def _mark_pending(connection, keys: Iterable[str]) -> None:  # noqa: ANN001
    """Upsert the marks (a mark made again gets the new time, so a chain running meanwhile does not clear it)."""
    now = utcnow()
    rows = [{"series_key": key, "marked_at": now} for key in sorted(set(keys))]
    if not rows:
        return
    dialect = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    statement = dialect(PendingDownstream.__table__)
    connection.execute(statement.on_conflict_do_update(index_elements=["series_key"],
                                                       set_={"marked_at": statement.excluded.marked_at}), rows)


def _plan(rows: Sequence[ObservationIn], ids: dict[str, int], existing: dict, label: str, sql: "_WriteSql",
          run_id: int | None) -> _WritePlan:
    """Check every row (known series, period, finite value, no duplicate slot; BatchRejected naming the first bad
    one) and sort it into insert, update plus revision, or unchanged, in one pass."""
    stamp, dates, isfinite = sql.timestamp(utcnow()), sql.dates(), math.isfinite
    inserts, updates, revisions, changed, seen = [], [], [], set(), set()
    unchanged = 0
    for number, row in enumerate(rows, start=1):
        key, period, value = row.series_key, row.period, row.value
        sid = ids.get(key)
        # Fast path for what collectors hand over (a date, a finite float); anything else goes through the parsers.
        if sid is None or type(period) is not dt.date or type(value) is not float or not isfinite(value):
            sid, period, value = _checked(row, number, ids, label)
        slot = (sid, period)
        if slot in seen:
            raise _rejected(row, number, label, "duplicate of an earlier row in the batch")
        seen.add(slot)
        old = existing.get(slot)
        if old is None:
            inserts.append((sid, dates[period], value, row.vintage, stamp, row.status))
            changed.add(key)
        elif old[1] == value or same_value(old[1], value):
            unchanged += 1
        else:
            revisions.append((sid, dates[period], old[1], value, old[2], row.vintage, stamp, run_id))
            updates.append((value, row.vintage, stamp, row.status, old[0]))
            changed.add(key)
    result = BatchResult(len(inserts), len(updates), unchanged, frozenset(changed))
    return _WritePlan(sql, inserts, updates, revisions, result)


def _checked(row: ObservationIn, number: int, ids: dict[str, int], label: str) -> tuple[int, dt.date, float]:
    try:
        if row.series_key not in ids:
            raise ValueError(f"unknown series {row.series_key!r}")
        return ids[row.series_key], parse_period(row.period), parse_value(row.value)
    except ValueError as exc:
        raise _rejected(row, number, label, str(exc)) from None


def _rejected(row: ObservationIn, number: int, label: str, why: str) -> BatchRejected:
    return BatchRejected(f"{label}row {number} (series {row.series_key}, period {row.period!r}): {why}; "
                         "batch rejected, nothing stored")


@dataclass(frozen=True)
class _WriteSql:
    """The write path's statements in the driver's own parameter style, and the driver form of dates and times."""

    insert: str
    update: str
    revision: str
    sqlite: bool

    @classmethod
    def for_dialect(cls, dialect) -> "_WriteSql":  # noqa: ANN001
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        cached = _WRITE_SQL.get((dialect.name, mark))
        if cached is None:
            def marks(count: int) -> str:
                return ", ".join([mark] * count)
            cached = _WRITE_SQL[(dialect.name, mark)] = cls(
                insert=("INSERT INTO observation (series_id, period, value, vintage, retrieved_at, status) "
                        f"VALUES ({marks(6)})"),
                update=(f"UPDATE observation SET value = {mark}, vintage = {mark}, retrieved_at = {mark}, "
                        f"status = {mark} WHERE id = {mark}"),
                revision=("INSERT INTO revision (series_id, period, old_value, new_value, old_vintage, new_vintage, "
                          f"revised_at, run_id) VALUES ({marks(8)})"),
                sqlite=dialect.name == "sqlite")
        return cached

    def timestamp(self, when: dt.datetime) -> Any:
        # SQLAlchemy's SQLite DateTime storage format (naive UTC text); other drivers take the datetime.
        return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else when

    def dates(self) -> dict:
        """Period -> driver form, memoised (a batch repeats the same periods for every series)."""
        return _IsoDates() if self.sqlite else _Same()


class _IsoDates(dict):
    def __missing__(self, day: dt.date) -> str:
        self[day] = text = day.isoformat()
        return text


class _Same(dict):
    def __missing__(self, day: dt.date) -> dt.date:
        return day


_WRITE_SQL: dict[tuple[str, str], _WriteSql] = {}


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
