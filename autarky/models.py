"""SQLAlchemy 2 models of the core store (DESIGN.md section 4). Other stages add their tables in their own modules."""

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
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | ok | failed
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
