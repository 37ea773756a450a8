"""Tables of the alerts stage: the state of each rule for each series, its state changes, and the outbox of
notifications. Read them through autarky.alerts.read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autarky.models import Base, utcnow


class AlertState(Base):
    """The state of one rule for one series: ok -> pending -> firing -> resolved, persisted across restarts."""

    __tablename__ = "alert_state"
    __table_args__ = (UniqueConstraint("rule", "series_key", name="uq_alert_state_rule_series"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(200))
    series_key: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="ok")  # ok | pending | firing | resolved
    since: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    pending_count: Mapped[int] = mapped_column(Integer, default=0)
    last_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_evaluated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    notify_count: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[Any | None] = mapped_column(JSON, nullable=True)


class AlertEvent(Base):
    __tablename__ = "alert_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(200), index=True)
    series_key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16), default="warning")
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")


class Outbox(Base):
    """Notifications written in the same transaction as the state change, sent afterwards, retried until sent."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recipients: Mapped[Any] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    attachments: Mapped[Any | None] = mapped_column(JSON, nullable=True)  # [{"name", "mime", "base64"}]
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued | sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
