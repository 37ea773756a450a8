"""Tables of the forecast stage: one run per forecast of a series, its points with bands, its backtest scores.

(`forecast/models.py` holds the candidate forecasting models, not tables.) Read them through autarky.forecast.read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autarky.models import Base, utcnow


class ForecastRun(Base):
    """One forecast of one series: the chosen model, what produced it (hashes), and why it was skipped if it was."""

    __tablename__ = "forecast_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="ok")  # ok | skipped | failed
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    model: Mapped[str | None] = mapped_column(String(100), nullable=True)
    data_hash: Mapped[str] = mapped_column(String(64), default="")
    config_hash: Mapped[str] = mapped_column(String(64), default="")
    n_obs: Mapped[int] = mapped_column(Integer, default=0)
    horizon: Mapped[int] = mapped_column(Integer, default=0)
    last_period: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # Predictive sample paths, list of lists (samples x horizon), for crossing probabilities.
    samples: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    settings: Mapped[Any | None] = mapped_column(JSON, nullable=True)


class ForecastPoint(Base):
    __tablename__ = "forecast_point"
    __table_args__ = (UniqueConstraint("run_id", "ds", name="uq_forecast_point_run_ds"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), index=True)
    ds: Mapped[dt.date] = mapped_column(Date)
    yhat: Mapped[float] = mapped_column(Float)
    lo80: Mapped[float] = mapped_column(Float)
    hi80: Mapped[float] = mapped_column(Float)
    lo95: Mapped[float] = mapped_column(Float)
    hi95: Mapped[float] = mapped_column(Float)


class BacktestScore(Base):
    __tablename__ = "backtest_score"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(String(100))
    horizon: Mapped[int] = mapped_column(Integer)
    origins: Mapped[int] = mapped_column(Integer)
    mase: Mapped[float | None] = mapped_column(Float, nullable=True)
    smape: Mapped[float | None] = mapped_column(Float, nullable=True)
    coverage80: Mapped[float | None] = mapped_column(Float, nullable=True)
    coverage95: Mapped[float | None] = mapped_column(Float, nullable=True)
    chosen: Mapped[bool] = mapped_column(default=False)
