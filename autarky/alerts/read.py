"""Stored alerts, read side: the state of every rule and series, the newest state changes, the outbox's health.

The alerts stage writes these tables (autarky.alerts.models); the dashboard reads them only through this module.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from autarky.alerts.models import AlertEvent, AlertState, Outbox
from autarky.store import Store, newest_values

STATE_COLUMNS = ["rule", "series_key", "state", "since", "pending_count", "last_value", "last_evaluated_at",
                 "last_notified_at", "notify_count", "details"]
EVENT_COLUMNS = ["id", "at", "rule", "series_key", "from_state", "to_state", "severity", "value", "message"]
_STATE_RANK = {"firing": 0, "pending": 1, "resolved": 2, "ok": 3}


def states(store: Store) -> pd.DataFrame:
    """Every rule x series state, firing first, then pending, resolved and ok; newest first within each."""
    with store.reading() as session:
        rows = session.scalars(select(AlertState).order_by(AlertState.since.desc())).all()
    frame = pd.DataFrame([{c: getattr(r, c) for c in STATE_COLUMNS} for r in rows], columns=STATE_COLUMNS)
    frame["_rank"] = frame["state"].map(_STATE_RANK).fillna(len(_STATE_RANK))
    return frame.sort_values(["_rank", "since"], ascending=[True, False]).drop(columns="_rank").reset_index(drop=True)


def events(store: Store, limit: int = 500) -> pd.DataFrame:
    """The newest state changes of every alert."""
    with store.reading() as session:
        rows = session.scalars(select(AlertEvent).order_by(AlertEvent.at.desc(), AlertEvent.id.desc())
                               .limit(limit)).all()
    return pd.DataFrame([{c: getattr(r, c) for c in EVENT_COLUMNS} for r in rows], columns=EVENT_COLUMNS)


def outbox_summary(store: Store) -> dict[str, object]:
    """Notifications queued and sent, and the newest send error (email delivery health)."""
    with store.reading() as session:
        counts = dict(session.execute(select(Outbox.status, func.count(Outbox.id)).group_by(Outbox.status)).all())
        error = session.execute(select(Outbox.last_error, Outbox.attempts).where(Outbox.status == "queued",
                                                                                 Outbox.last_error.is_not(None))
                                .order_by(Outbox.id.desc()).limit(1)).first()
    return {"queued": int(counts.get("queued", 0)), "sent": int(counts.get("sent", 0)),
            "last_error": error[0] if error else None, "attempts": int(error[1]) if error else 0}


def data_version(store: Store) -> tuple[str, ...]:
    """A token that changes whenever an alert changes state, is evaluated, or a notification is queued or sent."""
    return newest_values(store, AlertEvent.id, AlertState.last_evaluated_at, Outbox.id, Outbox.sent_at)
