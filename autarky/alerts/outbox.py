"""The outbox: notifications are queued in the transaction that changes the alert state, then sent; none is lost.

What is guaranteed: **at-least-once delivery to the SMTP server, with duplicates recognisable by Message-ID.**
A message is claimed ('sending', committed) before its SMTP transaction and marked 'sent' after it. A process that
dies in between leaves it 'sending'; once CLAIM_TIMEOUT has passed it is sent again with the same Message-ID, Date
and content (all fixed by its idempotency key and its row), so a receiver that drops repeated Message-IDs sees one
message. SMTP cannot tell a client whether it accepted a message before the connection died, so exactly-once is
not possible without the receiver's help; the window is one SMTP transaction wide. Claiming is an atomic
conditional update, so two senders never send the same message at the same time, and a failed send stays queued
with its error, its attempt count and the time of its next attempt (exponential backoff).
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass, field
from typing import Any, Sequence

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from autarky.alerts.mail import SmtpConnection, SmtpSettings, build_email
from autarky.alerts.times import as_utc
from autarky.alerts.models import Outbox
from autarky.models import utcnow
from autarky.store import Store

QUEUED, SENDING, SENT = "queued", "sending", "sent"
RETRY_BASE = dt.timedelta(minutes=5)
RETRY_MAX = dt.timedelta(hours=6)
# A message left 'sending' this long belongs to a sender that died; it may be sent again.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
NOT_CONFIGURED = "SMTP is not configured: set AUTARKY_SMTP_HOST (and _PORT, _FROM, ...)"


@dataclass(frozen=True)
class Message:
    """One email to queue; the idempotency key makes queueing it twice impossible."""

    key: str
    recipients: tuple[str, ...]
    subject: str
    body_text: str
    body_html: str | None = None
    attachments: tuple[dict[str, str], ...] = ()


@dataclass
class Delivery:
    """What one send pass did."""

    sent: list[str] = field(default_factory=list)  # idempotency keys
    failed: list[tuple[str, str]] = field(default_factory=list)  # (idempotency key, error)
    waiting: int = 0  # queued, not yet due for another attempt (backoff)

    @property
    def ok(self) -> bool:
        return not self.failed


def enqueue(session: Session, messages: Sequence[Message], now: dt.datetime) -> None:
    """Add messages to the outbox inside the caller's transaction."""
    for m in messages:
        session.add(Outbox(idempotency_key=m.key, created_at=now, recipients=list(m.recipients), subject=m.subject,
                           body_text=m.body_text, body_html=m.body_html, attachments=list(m.attachments) or None,
                           status=QUEUED, attempts=0, next_attempt_at=now))


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the n-th failed attempt: 5 min, 10 min, 20 min, ... at most 6 h."""
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_MAX)


def send_due(store: Store, settings: SmtpSettings | None, *, now: dt.datetime | None = None,
             force: bool = False) -> Delivery:
    """Send every message that is due (with `force`, every queued one), each claimed before and marked after."""
    now = now or utcnow()
    ids, waiting = _due(store, now, force)
    delivery = Delivery(waiting=waiting)
    if not ids:
        return delivery
    if settings is None:
        _fail_unclaimed(store, ids, NOT_CONFIGURED, now, delivery)
        return delivery
    connection = SmtpConnection(settings)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        _fail_unclaimed(store, ids, f"SMTP {settings.describe()}: {_reason(exc)}", now, delivery)
        return delivery
    with connection:
        for position, outbox_id in enumerate(ids):
            row = _claim(store, outbox_id, now, force)
            if row is None:  # another sender has it, or sent it meanwhile
                continue
            try:
                connection.send(build_email(sender=settings.sender, **row))
            except (smtplib.SMTPServerDisconnected, OSError) as exc:  # the session is gone: the rest waits too
                error = f"SMTP {settings.describe()}: {_reason(exc)}"
                _release(store, outbox_id, error, now, delivery, row["key"])
                _fail_unclaimed(store, ids[position + 1:], error, now, delivery)
                break
            except smtplib.SMTPException as exc:  # this message was refused; the others may go
                _release(store, outbox_id, f"SMTP {settings.describe()}: {_reason(exc)}", now, delivery,
                          row["key"])
                continue
            _mark_sent(store, outbox_id)
            delivery.sent.append(row["key"])
    return delivery


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    return str(exc) or type(exc).__name__


def _claimable(now: dt.datetime, force: bool) -> Any:
    queued = Outbox.status == QUEUED
    if not force:
        queued = and_(queued, or_(Outbox.next_attempt_at.is_(None), Outbox.next_attempt_at <= now))
    abandoned = and_(Outbox.status == SENDING, Outbox.next_attempt_at <= now)
    return or_(queued, abandoned)


def _due(store: Store, now: dt.datetime, force: bool) -> tuple[list[int], int]:
    with store.reading() as session:
        ids = list(session.scalars(select(Outbox.id).where(_claimable(now, force)).order_by(Outbox.id)))
        unsent = session.scalar(select(func.count(Outbox.id)).where(Outbox.status.in_([QUEUED, SENDING]))) or 0
    return ids, unsent - len(ids)


def _claim(store: Store, outbox_id: int, now: dt.datetime, force: bool) -> dict[str, Any] | None:
    """Mark one message 'sending' if it is still claimable; its contents, or None if another sender took it."""
    with store.writing() as session:
        claimed = session.execute(
            update(Outbox).where(Outbox.id == outbox_id, _claimable(now, force))
            .values(status=SENDING, attempts=Outbox.attempts + 1, next_attempt_at=now + CLAIM_TIMEOUT))
        if claimed.rowcount != 1:
            return None
        row = session.get(Outbox, outbox_id)
        return dict(key=row.idempotency_key, recipients=list(row.recipients), subject=row.subject,
                    body_text=row.body_text, body_html=row.body_html, attachments=row.attachments,
                    created_at=as_utc(row.created_at))


def _mark_sent(store: Store, outbox_id: int) -> None:
    with store.writing() as session:
        session.execute(update(Outbox).where(Outbox.id == outbox_id)
                        .values(status=SENT, sent_at=utcnow(), next_attempt_at=None))


def _release(store: Store, outbox_id: int, error: str, now: dt.datetime, delivery: Delivery, key: str) -> None:
    """A claimed message that failed goes back to the queue with its error and a later next attempt."""
    with store.writing() as session:
        row = session.get(Outbox, outbox_id)
        row.status, row.last_error = QUEUED, error
        row.next_attempt_at = now + retry_delay(row.attempts)
    delivery.failed.append((key, error))


def _fail_unclaimed(store: Store, ids: Sequence[int], error: str, now: dt.datetime, delivery: Delivery) -> None:
    """Count a failed attempt for messages that could not even be tried (no server, no settings)."""
    if not ids:
        return
    with store.writing() as session:
        for row in session.scalars(select(Outbox).where(Outbox.id.in_(list(ids)), _claimable(now, True))):
            row.status, row.last_error, row.attempts = QUEUED, error, row.attempts + 1
            row.next_attempt_at = now + retry_delay(row.attempts)
            delivery.failed.append((row.idempotency_key, error))


def queue_summary(store: Store) -> dict[str, Any]:
    """Counts by status, and the messages still waiting with their attempts and last error."""
    with store.reading() as session:
        counts = dict(session.execute(select(Outbox.status, func.count(Outbox.id)).group_by(Outbox.status)).all())
        waiting = session.execute(
            select(Outbox.idempotency_key, Outbox.recipients, Outbox.subject, Outbox.attempts, Outbox.last_error,
                   Outbox.next_attempt_at).where(Outbox.status != SENT).order_by(Outbox.id)).all()
    return {"counts": counts, "waiting": [dict(key=w[0], recipients=w[1], subject=w[2], attempts=w[3],
                                                error=w[4], next_attempt_at=as_utc(w[5])) for w in waiting]}
