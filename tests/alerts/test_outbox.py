"""The outbox against a real SMTP server: retries with backoff, one sender per message, and what a crash can cost."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from autarky.alerts import outbox
from autarky.alerts.mail import SmtpSettings
from autarky.alerts.outbox import CLAIM_TIMEOUT, QUEUED, SENDING, SENT, Message, enqueue, retry_delay, send_due
from autarky.alerts.models import Outbox
from tests.support.alerts import SENDER, T0, SmtpRecorder

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def smtp():
    server = SmtpRecorder().start()
    yield server
    server.stop()


def settings_for(server: SmtpRecorder) -> SmtpSettings:
    return SmtpSettings.from_env(server.env)


def queue(store, *keys, now=T0):
    with store.writing() as session:
        enqueue(session, [Message(key=k, recipients=(f"{k}@example.org",), subject=f"alert {k}",
                                  body_text=f"text {k}", body_html=f"<p>html {k}</p>") for k in keys], now)


def rows(store):
    with store.reading() as session:
        return {r.idempotency_key: r for r in session.scalars(select(Outbox).order_by(Outbox.id))}


def test_queued_messages_are_sent_once_and_marked(store, smtp):
    queue(store, "a", "b")
    delivery = send_due(store, settings_for(smtp), now=T0)
    assert delivery.sent == ["a", "b"] and delivery.ok
    assert [r.rcpt_tos for r in smtp.received] == [["a@example.org"], ["b@example.org"]]
    assert all(r.status == SENT and r.sent_at and r.attempts == 1 for r in rows(store).values())
    assert send_due(store, settings_for(smtp), now=T0 + MINUTE).sent == []
    assert len(smtp.received) == 2


def test_the_same_idempotency_key_cannot_be_queued_twice(store):
    queue(store, "a")
    with pytest.raises(IntegrityError):
        queue(store, "a")
    assert list(rows(store)) == ["a"]


def test_failed_sends_wait_out_a_growing_backoff_unless_forced(store):
    server = SmtpRecorder()  # never started
    queue(store, "a")
    first = send_due(store, settings_for(server), now=T0)
    row = rows(store)["a"]
    assert first.failed and row.status == QUEUED and row.attempts == 1 and "refused" in row.last_error.lower()
    assert send_due(store, settings_for(server), now=T0 + MINUTE).waiting == 1  # not due yet: not attempted
    assert rows(store)["a"].attempts == 1
    send_due(store, settings_for(server), now=T0 + retry_delay(1))
    assert rows(store)["a"].attempts == 2
    assert [retry_delay(n) for n in (1, 2, 3, 10)] == [dt.timedelta(minutes=m) for m in (5, 10, 20, 360)]
    server.start()
    try:
        forced = send_due(store, settings_for(server), now=T0 + retry_delay(1) + MINUTE, force=True)
        assert forced.sent == ["a"] and len(server.received) == 1
    finally:
        server.stop()


def test_without_smtp_settings_messages_stay_queued_with_the_reason(store):
    queue(store, "a")
    delivery = send_due(store, None, now=T0)
    assert delivery.failed == [("a", outbox.NOT_CONFIGURED)]
    assert rows(store)["a"].status == QUEUED and rows(store)["a"].last_error == outbox.NOT_CONFIGURED


def test_a_refused_recipient_fails_only_that_message(store, smtp):
    queue(store, "a")
    with store.writing() as session:
        enqueue(session, [Message(key="bad", recipients=("nobody@example.org",), subject="s", body_text="t")], T0)
    smtp.controller.handler = RefusingHandler(smtp, refuse="nobody@example.org")
    delivery = send_due(store, settings_for(smtp), now=T0)
    assert delivery.sent == ["a"] and [key for key, _ in delivery.failed] == ["bad"]
    assert "550" in rows(store)["bad"].last_error and rows(store)["bad"].status == QUEUED


class RefusingHandler:
    """Refuses one recipient address, records the rest through the recorder."""

    def __init__(self, recorder, refuse):
        self.recorder, self.refuse = recorder, refuse

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: ANN001, ANN201, N802
        if address == self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        return await self.recorder.handle_DATA(server, session, envelope)


def test_a_message_claimed_by_a_live_sender_is_not_sent_by_another(store, smtp):
    queue(store, "a")
    claimed = outbox._claim(store, rows(store)["a"].id, T0, False)  # another process is sending it right now
    assert claimed["key"] == "a" and rows(store)["a"].status == SENDING
    assert send_due(store, settings_for(smtp), now=T0 + MINUTE, force=True).sent == []
    assert smtp.received == []


CRASH_SCRIPT = textwrap.dedent("""
    import datetime as dt, os, sys
    from autarky.alerts import outbox
    from autarky.alerts.mail import SmtpSettings
    from autarky.store import Store

    def die(*args, **kwargs):  # the process dies after the SMTP server accepted the message, before the commit
        os._exit(17)

    outbox._mark_sent = die
    store = Store(sys.argv[1])
    outbox.send_due(store, SmtpSettings.from_env(), now=dt.datetime.fromisoformat(sys.argv[2]))
""")


def test_a_crash_between_send_and_commit_resends_once_with_the_same_message_id(store, smtp, database_url):
    """What we claim: at-least-once, with duplicates recognisable by Message-ID; nothing is ever lost."""
    queue(store, "a")
    env = {**os.environ, **smtp.env}
    crashed = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, database_url, T0.isoformat()], env=env,
                             capture_output=True, text=True)
    assert crashed.returncode == 17, crashed.stderr
    assert len(smtp.received) == 1 and rows(store)["a"].status == SENDING
    # Until the claim times out, the message belongs to the (dead) sender: nobody sends it again.
    assert send_due(store, settings_for(smtp), now=T0 + MINUTE, force=True).sent == []
    assert len(smtp.received) == 1
    # After it, the message goes again: the same Message-ID, Date, subject and body.
    again = send_due(store, settings_for(smtp), now=T0 + CLAIM_TIMEOUT + MINUTE)
    assert again.sent == ["a"] and len(smtp.received) == 2
    first, second = (r.message for r in smtp.received)
    for header in ("Message-ID", "Date", "Subject", "From", "To"):
        assert first[header] == second[header]
    assert first["Message-ID"] == f"<a@{SENDER.split('@')[1]}>"
    assert first.get_body(("plain",)).get_content() == second.get_body(("plain",)).get_content()
    assert len({r.message["Message-ID"] for r in smtp.received}) == 1  # a receiver deduplicating by it sees one
    row = rows(store)["a"]
    assert row.status == SENT and row.attempts == 2
    assert send_due(store, settings_for(smtp), now=T0 + 2 * CLAIM_TIMEOUT, force=True).sent == []
    assert len(smtp.received) == 2
