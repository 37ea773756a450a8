"""Time values as stored and read back: always timezone-aware UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd


def as_utc(value: Any) -> dt.datetime | None:
    """A UTC-aware datetime from a datetime or Timestamp; SQLite hands back naive values, all of them UTC."""
    if value is None or value is pd.NaT:
        return None
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")).to_pydatetime()
