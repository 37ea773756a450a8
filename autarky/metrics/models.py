"""Tables of the metrics stage: the per-component contributions behind every stored index value."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autarky.models import Base, utcnow


class IndexContribution(Base):
    """One component of one index value: raw value, score, weights, contribution and the base-period statistics."""

    __tablename__ = "index_contribution"
    __table_args__ = (UniqueConstraint("series_id", "period", "component", name="uq_index_contribution"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    period: Mapped[dt.date] = mapped_column(Date)
    component: Mapped[str] = mapped_column(String(100))
    input_key: Mapped[str] = mapped_column(String(200))
    value_period: Mapped[dt.date] = mapped_column(Date)  # earlier than `period` when carried forward
    raw_value: Mapped[float] = mapped_column(Float)
    value_used: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float)
    effective_weight: Mapped[float] = mapped_column(Float)
    contribution: Mapped[float] = mapped_column(Float)
    base_count: Mapped[int] = mapped_column(Integer)
    base_min: Mapped[float] = mapped_column(Float)
    base_max: Mapped[float] = mapped_column(Float)
    base_mean: Mapped[float] = mapped_column(Float)
    base_sd: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
