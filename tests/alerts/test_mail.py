"""SMTP settings from the environment, and real STARTTLS, SSL and login against aiosmtpd with a test CA (trustme)."""

from __future__ import annotations

import smtplib
import ssl

import pytest
import trustme

from autarky.alerts.mail import SmtpSettings, build_email, message_id, send_now
from autarky.alerts.outbox import QUEUED, Message, enqueue, send_due
from autarky.errors import ConfigError
from tests.support.alerts import SENDER, T0, SmtpRecorder

USERS = {"alerts": "s3cret-pass"}


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A server TLS context for 127.0.0.1 signed by a throw-away CA that this process (and children) trust."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    ca_file = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    return server


def _message(to="analyst@example.org"):
    return build_email(key="test-key", sender=SENDER, recipients=[to], subject="[Autarky] test", body_text="hello",
                       body_html="<p>hello</p>", attachments=None, created_at=T0)


def test_starttls_and_login(tls):
    server = SmtpRecorder(users=USERS, tls_context=tls, require_starttls=True).start()
    try:
        env = {**server.env, "AUTARKY_SMTP_STARTTLS": "true", "AUTARKY_SMTP_USER": "alerts",
               "AUTARKY_SMTP_PASSWORD": USERS["alerts"]}
        settings = SmtpSettings.from_env(env)
        assert settings.describe() == f"127.0.0.1:{server.port} (STARTTLS, login alerts)"
        assert "s3cret" not in repr(settings)
        send_now(settings, _message())
        assert server.logins == ["alerts"] and len(server.received) == 1
        wrong = SmtpSettings.from_env({**env, "AUTARKY_SMTP_PASSWORD": "wrong"})
        with pytest.raises(smtplib.SMTPAuthenticationError):
            send_now(wrong, _message())
    finally:
        server.stop()


# aiosmtpd only knows STARTTLS as TLS; on an implicit-TLS port the connection is encrypted from the first byte.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_ssl_and_login(tls):
    server = SmtpRecorder(users=USERS, ssl_context=tls, auth_require_tls=False).start()
    try:
        env = {**server.env, "AUTARKY_SMTP_SSL": "1", "AUTARKY_SMTP_USER": "alerts",
               "AUTARKY_SMTP_PASSWORD": USERS["alerts"]}
        send_now(SmtpSettings.from_env(env), _message())
        assert server.logins == ["alerts"] and server.received[0].rcpt_tos == ["analyst@example.org"]
    finally:
        server.stop()


def test_an_untrusted_certificate_or_a_bad_login_keeps_the_message_queued(tls, store, monkeypatch):
    server = SmtpRecorder(users=USERS, tls_context=tls, require_starttls=True).start()
    try:
        with store.writing() as session:
            enqueue(session, [Message(key="k1", recipients=("analyst@example.org",), subject="s", body_text="t")], T0)
        env = {**server.env, "AUTARKY_SMTP_STARTTLS": "true", "AUTARKY_SMTP_USER": "alerts",
               "AUTARKY_SMTP_PASSWORD": "wrong"}
        delivery = send_due(store, SmtpSettings.from_env(env), now=T0)
        assert delivery.failed and "535" in delivery.failed[0][1]
        monkeypatch.delenv("SSL_CERT_FILE")
        monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent")
        env["AUTARKY_SMTP_PASSWORD"] = USERS["alerts"]
        delivery = send_due(store, SmtpSettings.from_env(env), now=T0, force=True)
        assert delivery.failed and "CERTIFICATE_VERIFY_FAILED" in delivery.failed[0][1]
        assert server.received == [] and server.logins == []
        from tests.alerts.test_outbox import rows
        assert rows(store)["k1"].status == QUEUED and rows(store)["k1"].attempts == 2
    finally:
        server.stop()


@pytest.mark.parametrize("env, problem", [
    ({"AUTARKY_SMTP_USER": "alerts", "AUTARKY_SMTP_PASSWORD": "x", "AUTARKY_SMTP_HOST": "smtp.example.org"},
     "refusing to send the SMTP password unencrypted to smtp.example.org"),
    ({"AUTARKY_SMTP_SSL": "true", "AUTARKY_SMTP_STARTTLS": "true"}, "are both on"),
    ({"AUTARKY_SMTP_PORT": "twenty-five"}, "AUTARKY_SMTP_PORT must be a positive number"),
    ({"AUTARKY_SMTP_STARTTLS": "maybe"}, "AUTARKY_SMTP_STARTTLS must be true or false, got 'maybe'"),
    ({"AUTARKY_SMTP_USER": "alerts"}, "AUTARKY_SMTP_USER is set but AUTARKY_SMTP_PASSWORD is not"),
    ({"AUTARKY_SMTP_FROM": "Autarky <alerts@example.org>\nBcc: x@evil.test"}, "is not an email address"),
])
def test_bad_smtp_settings_are_refused_by_name(env, problem):
    with pytest.raises(ConfigError, match=problem):
        SmtpSettings.from_env({"AUTARKY_SMTP_HOST": "127.0.0.1", **env})


def test_settings_defaults():
    assert SmtpSettings.from_env({}) is None
    plain = SmtpSettings.from_env({"AUTARKY_SMTP_HOST": "mail.example.org"})
    assert (plain.port, plain.starttls, plain.ssl, plain.sender) == (25, False, False, "autarky@localhost")
    assert SmtpSettings.from_env({"AUTARKY_SMTP_HOST": "h", "AUTARKY_SMTP_STARTTLS": "yes"}).port == 587
    login = SmtpSettings.from_env({"AUTARKY_SMTP_HOST": "h", "AUTARKY_SMTP_SSL": "on",
                                   "AUTARKY_SMTP_USER": "alerts@example.org", "AUTARKY_SMTP_PASSWORD": "p"})
    assert (login.port, login.sender) == (465, "alerts@example.org")


def test_mime_structure_and_stable_message_id():
    message = build_email(key="alerts-abc", sender=SENDER, recipients=["a@example.org"], subject="s\nBcc: x",
                          body_text="text", body_html="<p><img src='cid:c1@autarky'></p>",
                          attachments=[{"name": "chart-1.png", "mime": "image/png", "cid": "c1@autarky",
                                        "base64": "iVBORw0KGgo="}], created_at=T0)
    assert message["Subject"] == "s Bcc: x"  # a line break in user text cannot add a header
    assert message["Message-ID"] == message_id("alerts-abc", SENDER) == "<alerts-abc@example.org>"
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/alternative", "text/plain", "multipart/related", "text/html", "image/png"]
    image = list(message.walk())[-1]
    assert image["Content-ID"] == "<c1@autarky>" and image.get_content_disposition() == "inline"
