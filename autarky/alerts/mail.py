"""SMTP delivery: settings only from the environment; STARTTLS or SSL and login; MIME messages with inline charts.

Named `mail` rather than `email` so that it never shadows the standard library's `email` package.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Mapping, Sequence

from autarky.errors import ConfigError

ENV_PREFIX = "AUTARKY_SMTP_"
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_SENDER = "autarky@localhost"
PORT_PLAIN, PORT_STARTTLS, PORT_SSL = 25, 587, 465
# Hosts where a password may travel without TLS (it never leaves the machine).
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@([A-Za-z0-9.-]+)$")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    ssl: bool = False
    timeout: float = DEFAULT_TIMEOUT_S

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "SmtpSettings | None":
        """From AUTARKY_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _STARTTLS, _SSL, _TIMEOUT; None without a host."""
        env = os.environ if environ is None else environ
        host = env.get(f"{ENV_PREFIX}HOST", "").strip()
        if not host:
            return None
        use_ssl, starttls = _flag(env, "SSL"), _flag(env, "STARTTLS")
        if use_ssl and starttls:
            raise ConfigError(f"{ENV_PREFIX}SSL and {ENV_PREFIX}STARTTLS are both on: use SSL for port 465 "
                              "(implicit TLS) or STARTTLS for port 587, not both")
        port = _number(env, "PORT", PORT_SSL if use_ssl else PORT_STARTTLS if starttls else PORT_PLAIN, int)
        user = env.get(f"{ENV_PREFIX}USER", "").strip() or None
        password = env.get(f"{ENV_PREFIX}PASSWORD") or None
        if user and password is None:
            raise ConfigError(f"{ENV_PREFIX}USER is set but {ENV_PREFIX}PASSWORD is not")
        if user and not (use_ssl or starttls) and host not in LOOPBACK_HOSTS:
            raise ConfigError(f"refusing to send the SMTP password unencrypted to {host}: set "
                              f"{ENV_PREFIX}STARTTLS=true (port 587) or {ENV_PREFIX}SSL=true (port 465)")
        sender = env.get(f"{ENV_PREFIX}FROM", "").strip() or (user if user and "@" in user else DEFAULT_SENDER)
        if not _ADDRESS.match(sender):
            raise ConfigError(f"{ENV_PREFIX}FROM: {sender!r} is not an email address")
        return cls(host=host, port=port, sender=sender, user=user, password=password, starttls=starttls,
                   ssl=use_ssl, timeout=_number(env, "TIMEOUT", DEFAULT_TIMEOUT_S, float))

    def describe(self) -> str:
        security = "SSL" if self.ssl else "STARTTLS" if self.starttls else "no TLS"
        login = f", login {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({security}{login})"


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(f"{ENV_PREFIX}{name}", "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{ENV_PREFIX}{name} must be true or false, got {raw!r}")


def _number(env: Mapping[str, str], name: str, default: Any, kind: type) -> Any:
    raw = env.get(f"{ENV_PREFIX}{name}", "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value <= 0:
        raise ConfigError(f"{ENV_PREFIX}{name} must be a positive number, got {raw!r}")
    return value


class SmtpConnection:
    """One SMTP session: connect, secure (SSL or STARTTLS), log in, send messages, quit."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpConnection":
        if self._smtp is None:
            self.open()
        return self

    def open(self) -> None:
        """Connect, secure and log in; any failure closes the socket and raises."""
        s = self.settings
        # The system's trust store; SSL_CERT_FILE / SSL_CERT_DIR point it elsewhere (a private CA).
        context = ssl.create_default_context()
        if s.ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message; a recipient the server refuses is an error, not a silent partial delivery."""
        assert self._smtp is not None, "use SmtpConnection as a context manager"
        refused = self._smtp.send_message(message)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)

    def __exit__(self, *exc: object) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None


def message_id(key: str, sender: str) -> str:
    """A Message-ID fixed by the idempotency key: every send of one outbox message carries the same one."""
    match = _ADDRESS.match(sender)
    return f"<{key}@{match[1] if match else 'autarky'}>"


def build_email(*, key: str, sender: str, recipients: Sequence[str], subject: str, body_text: str,
                body_html: str | None, attachments: Sequence[Mapping[str, str]] | None,
                created_at: dt.datetime) -> EmailMessage:
    """multipart/alternative: the text part, and the HTML part with its inline images (multipart/related)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(created_at)
    message["Message-ID"] = message_id(key, sender)
    message["X-Autarky-Key"] = key
    message.set_content(body_text)
    if body_html:
        message.add_alternative(body_html, subtype="html")
        html_part = message.get_payload()[1]
        for item in attachments or ():
            maintype, _, subtype = item["mime"].partition("/")
            html_part.add_related(base64.b64decode(item["base64"]), maintype, subtype, cid=f"<{item['cid']}>",
                                  filename=item["name"], disposition="inline")
    return message


def send_now(settings: SmtpSettings, message: EmailMessage) -> None:
    """Open a session, send one message, close (for `alerts test-email`)."""
    with SmtpConnection(settings) as connection:
        connection.send(message)
