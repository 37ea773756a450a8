"""The policy_event table: one dated measure with its tags, HS codes and the public page that confirms it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from autarky.models import Base


class PolicyEvent(Base):
    __tablename__ = "policy_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    actor: Mapped[str] = mapped_column(String(3), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    affects: Mapped[str] = mapped_column(String(300), default="")     # ;-separated tags
    hs_codes: Mapped[str] = mapped_column(String(300), default="")    # ;-separated HS codes
    source_name: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(String(1000), default="")
    source_quote: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(500), default="")      # bundled, autarky.toml or a file path
