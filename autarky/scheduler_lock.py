"""One scheduler per database: a lock row with a heartbeat, taken over only once its holder has gone quiet."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from autarky.errors import AutarkyError
from autarky.models import utcnow
from autarky.scheduler_models import SchedulerLock as LockRow
from autarky.store import Store

LOCK_NAME = "scheduler"


class SchedulerBusy(AutarkyError):
    """Another scheduler holds the lock of this database."""


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; every time here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


class SchedulerLock:
    """Acquire, heartbeat and release the lock row; `stale_after` seconds without a heartbeat frees it."""

    def __init__(self, store: Store, *, stale_after: float, name: str = LOCK_NAME):
        self.store, self.stale_after, self.name = store, stale_after, name
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.owner = f"{self.host}:{self.pid}:{uuid.uuid4().hex[:8]}"
        self.took_over: str | None = None

    def acquire(self) -> None:
        """Take the lock, or raise SchedulerBusy saying who holds it and since when."""
        try:
            with self.store.writing() as session:
                row = session.get(LockRow, self.name, with_for_update=True)
                now = utcnow()
                if row is not None:
                    quiet = (now - _aware(row.heartbeat_at)).total_seconds()
                    if quiet <= self.stale_after:
                        raise SchedulerBusy(self._busy_message(row, quiet))
                    self.took_over = f"pid {row.pid} on {row.host} (silent for {quiet:.0f} s)"
                    session.delete(row)
                    session.flush()
                session.add(LockRow(name=self.name, owner=self.owner, host=self.host, pid=self.pid,
                                    started_at=now, heartbeat_at=now))
        except IntegrityError:
            # Another scheduler inserted the row between our read and our insert.
            with self.store.reading() as session:
                row = session.get(LockRow, self.name)
            quiet = (utcnow() - _aware(row.heartbeat_at)).total_seconds() if row else 0.0
            raise SchedulerBusy(self._busy_message(row, quiet) if row else "another scheduler took the lock "
                                "at the same moment") from None

    def heartbeat(self) -> bool:
        """Refresh the heartbeat; False if the lock is no longer ours (another scheduler took it over)."""
        with self.store.writing() as session:
            outcome = session.execute(update(LockRow).where(LockRow.name == self.name, LockRow.owner == self.owner)
                                      .values(heartbeat_at=utcnow()))
            return outcome.rowcount == 1

    def release(self) -> None:
        with self.store.writing() as session:
            session.execute(delete(LockRow).where(LockRow.name == self.name, LockRow.owner == self.owner))

    def holder(self) -> LockRow | None:
        with self.store.reading() as session:
            return session.scalars(select(LockRow).where(LockRow.name == self.name)).first()

    def _busy_message(self, row: LockRow, quiet: float) -> str:
        started = _aware(row.started_at).strftime("%Y-%m-%d %H:%M:%S UTC")
        return (f"another scheduler runs on this database: pid {row.pid} on host {row.host}, since {started} "
                f"(last heartbeat {quiet:.0f} s ago); stop it first (its lock is freed {self.stale_after:.0f} s "
                "after its last heartbeat)")
