"""Tables of the scheduler process: its single-instance lock and APScheduler's job store."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, Integer, LargeBinary, String, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from autarky.models import Base

JOBS_TABLE = "apscheduler_jobs"


class SchedulerLock(Base):
    """The one scheduler allowed per database: who holds it, since when, and its last heartbeat."""

    __tablename__ = "scheduler_lock"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SchedulerJob(Base):
    """APScheduler 3's SQLAlchemyJobStore table, declared here so migrations own it (same columns as APScheduler's)."""

    __tablename__ = JOBS_TABLE
    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True, nullable=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
