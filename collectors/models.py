"""The collectors' own table: one incremental cursor per source and series (or file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autarky.models import Base, utcnow


class CollectorState(Base):
    """Where a collector got to for one key: the last period seen, the source's update stamp, a file checksum."""

    __tablename__ = "collector_state"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_collector_state_source_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32), index=True)
    key: Mapped[str] = mapped_column(String(500))
    cursor: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
