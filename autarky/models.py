"""SQLAlchemy 2 models of the core store (DESIGN.md section 4): source, series, observation, revision, the run log
and the pending downstream marks. Each stage adds its own tables in its own module on this metadata (`Base`):
autarky.forecast.tables, autarky.alerts.models, autarky.metrics.models, autarky.collectors.models,
autarky.events.models; autarky.tables gathers them all for the migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class Source(Base):
    __tablename__ = "source"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(500), default="")
    licence: Mapped[str] = mapped_column(String(200), default="")
    attribution: Mapped[str] = mapped_column(Text, default="")


class Series(Base):
    __tablename__ = "series"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    indicator: Mapped[str] = mapped_column(String(100), index=True)
    country: Mapped[str] = mapped_column(String(3), index=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    unit: Mapped[str] = mapped_column(String(100), default="")
    frequency: Mapped[str] = mapped_column(String(1), default="A")
    category: Mapped[str] = mapped_column(String(20), default="")
    direction: Mapped[int] = mapped_column(Integer, default=0)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    formula: Mapped[str | None] = mapped_column(Text, nullable=True)
    inputs: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    # Trade dimensions (migration 0012_partners): partner ISO3 (None = World), flow M/X, HS code of 4-8 digits.
    partner: Mapped[str | None] = mapped_column(String(3), nullable=True, index=True)
    flow: Mapped[str | None] = mapped_column(String(2), nullable=True)
    hs: Mapped[str | None] = mapped_column(String(8), nullable=True)


class Observation(Base):
    __tablename__ = "observation"
    __table_args__ = (UniqueConstraint("series_id", "period", name="uq_observation_series_period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    period: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    vintage: Mapped[str | None] = mapped_column(String(64), nullable=True)
    retrieved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)


class Revision(Base):
    __tablename__ = "revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    period: Mapped[dt.date] = mapped_column(Date)
    old_value: Mapped[float] = mapped_column(Float)
    new_value: Mapped[float] = mapped_column(Float)
    old_vintage: Mapped[str | None] = mapped_column(String(64), nullable=True)
    new_vintage: Mapped[str | None] = mapped_column(String(64), nullable=True)
    revised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("collection_run.id"), nullable=True)


class CollectionRun(Base):
    __tablename__ = "collection_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | ok | failed | interrupted
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Who runs it and when it last said so (migration 0010_pipeline): a run whose process is gone, or whose
    # heartbeat is stale, is marked interrupted by the next command that touches the run log.
    host: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PendingDownstream(Base):
    """A series whose data changed and whose downstream steps (metrics, forecast, alerts) have not run on it yet;
    marked in the transaction of the batch that changed it, cleared once the downstream chain has run."""

    __tablename__ = "pending_downstream"
    series_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
