"""`autarky alerts` as a user runs it: real processes, a real database, a real SMTP server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from autarky.store import Store
from tests.support.alerts import SHARE_KEY, SmtpRecorder, rule
from tests.support.serving import run

SHARE_RULE = rule("China resident patent share above 0.8", "threshold", series=SHARE_KEY, above=0.8, recover=0.78)


@pytest.fixture
def bundled(database_url):
    """`autarky init` with the bundled data; init derives the resident patent share (the metrics stage)."""
    run("init", env={"AUTARKY_DATABASE_URL": database_url})
    store = Store(database_url)
    try:
        assert len(store.observations(keys=[SHARE_KEY])) > 0
    finally:
        store.close()
    Path("autarky.toml").write_text(SHARE_RULE, encoding="utf-8")
    return {"AUTARKY_DATABASE_URL": database_url}


def test_done_when_one_email_then_none(bundled):
    dry = run("alerts", "check", "--dry-run", env=bundled).stdout
    assert "1 email(s) would be queued" in dry and "would be queued for analyst@example.org" in dry
    assert "states (0)" in run("alerts", "list", env=bundled).stdout  # a dry run writes nothing
    server = SmtpRecorder().start()
    try:
        env = {**bundled, **server.env}
        first = run("alerts", "check", env=env)
        assert f"{SHARE_KEY}  ok -> firing [firing notice]: 0.8997 in 2021 is above 0.8" in first.stdout
        assert "sent 1 email(s)" in first.stdout
        assert len(server.received) == 1 and server.received[0].rcpt_tos == ["analyst@example.org"]
        second = run("alerts", "check", env=env)
        assert "0 changed, 0 email(s) queued" in second.stdout and "sent" not in second.stdout
        assert len(server.received) == 1
    finally:
        server.stop()
    out = run("alerts", "list", env=bundled).stdout
    assert ("China resident patent share above 0.8 [warning] threshold: derived:SR.PAT.RESD.SHARE:CHN: above 0.8; "
            "recovers below 0.78; to analyst@example.org") in out
    assert "firing   China resident patent share above 0.8  derived:SR.PAT.RESD.SHARE:CHN since" in out
    assert "ok -> firing: firing notice; 0.8997 in 2021 is above 0.8" in out
    assert "outbox: 1 sent" in out


def test_done_when_smtp_down_exits_non_zero_says_queued_then_delivers(bundled):
    server = SmtpRecorder()  # its port, with nothing listening yet
    env = {**bundled, **server.env}
    down = run("alerts", "check", env=env, check=False)
    assert down.returncode == 1
    assert down.stderr.startswith("error: 1 email(s) could not be sent and stay queued for the next run: "
                                  f"SMTP 127.0.0.1:{server.port}")
    assert "Traceback" not in down.stderr
    listing = run("alerts", "list", env=env).stdout
    assert "outbox: 1 queued" in listing and "1 attempt(s)" in listing
    server.start()
    try:
        up = run("alerts", "check", env=env)
        assert "sent 1 email(s)" in up.stdout and len(server.received) == 1
        assert "FIRING" in server.received[0].message["Subject"]
        run("alerts", "check", env=env)
        assert len(server.received) == 1
    finally:
        server.stop()


def test_test_email(tmp_path):
    server = SmtpRecorder().start()
    try:
        out = run("alerts", "test-email", "ops@example.org", env=server.env).stdout
        assert out.strip() == f"sent a test email to ops@example.org through 127.0.0.1:{server.port} (no TLS)"
        received = server.received[0]
        assert received.rcpt_tos == ["ops@example.org"] and "test email from Autarky" in received.parts["text/plain"]
    finally:
        server.stop()
    failed = run("alerts", "test-email", "ops@example.org", env=server.env, check=False)
    assert failed.returncode == 1 and failed.stderr.startswith("error: test email to ops@example.org failed: SMTP")
    unset = run("alerts", "test-email", "ops@example.org", check=False)
    assert unset.returncode == 1 and "SMTP is not configured: set AUTARKY_SMTP_HOST" in unset.stderr
    bad = run("alerts", "test-email", "ops@example.org\nBcc: x@evil.test", env=server.env, check=False)
    assert bad.returncode == 1 and "is not an email address" in bad.stderr


def test_bad_rule_config_is_one_line_naming_rule_and_field(tmp_path):
    Path("autarky.toml").write_text(SHARE_RULE.replace("above = 0.8", 'above = "0.8"'), encoding="utf-8")
    proc = run("alerts", "check", check=False, env={"AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert proc.returncode == 1
    assert proc.stderr == ("error: autarky.toml: alert rule #1 (China resident patent share above 0.8): field 'above': "
                           "must be a number, got '0.8'\n")


def test_help_lists_the_alerts_commands():
    assert "alerts" in run("--help").stdout
    out = run("alerts", "--help").stdout
    for command in ("check", "list", "test-email"):
        assert command in out
