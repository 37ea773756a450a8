"""Shared parts of the alert tests: a real SMTP server on loopback (aiosmtpd), and rules and data to feed it."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from autarky.alerts import engine
from autarky.app import App
from autarky.store import ObservationIn, SeriesSpec, Store
from tests.support.serving import free_port

SENDER = "autarky@example.org"
UTC = dt.timezone.utc
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def parts(self) -> dict[str, Any]:
        """content type -> decoded content (the last of each type)."""
        return {part.get_content_type(): part.get_content() for part in self.message.walk()
                if not part.is_multipart()}


class SmtpRecorder:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts; can stop and start again."""

    def __init__(self, port: int | None = None, *, users: dict[str, str] | None = None, **smtp_options: Any):
        self.port = port or free_port()
        self.received: list[Received] = []
        self.logins: list[str] = []
        self.users = users
        self.options = smtp_options
        self._lock = threading.Lock()
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
        ok = isinstance(auth_data, LoginPassword) and self.users.get(auth_data.login.decode()) == \
            auth_data.password.decode()
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    def start(self) -> "SmtpRecorder":
        options = dict(self.options)
        if self.users is not None:
            options.update(authenticator=self._authenticate, auth_required=True)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def env(self) -> dict[str, str]:
        return {"AUTARKY_SMTP_HOST": "127.0.0.1", "AUTARKY_SMTP_PORT": str(self.port), "AUTARKY_SMTP_FROM": SENDER}

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def rule(name: str, kind: str, recipients: tuple[str, ...] = ("analyst@example.org",), **fields: Any) -> str:
    """One [[alerts.rule]] table in TOML."""
    lines = ["[[alerts.rule]]", f"name = {json.dumps(name)}", f"kind = {json.dumps(kind)}"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in fields.items()]
    lines.append(f"recipients = {json.dumps(list(recipients))}")
    return "\n".join(lines) + "\n\n"


@pytest.fixture
def smtp(monkeypatch):
    """A running SMTP recorder, with AUTARKY_SMTP_* pointing at it."""
    server = SmtpRecorder().start()
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()


@pytest.fixture
def checker(store, database_url, tmp_path):
    """check(rules, now): write the rules to autarky.toml, run one evaluation with a fresh App (as a new process)."""

    def run(rules: str, now: dt.datetime, **options: Any) -> engine.CheckReport:
        app = make_app(write_config(tmp_path, database_url, rules))
        try:
            return engine.check(app, now=now, **options)
        finally:
            app.close()

    return run


def write_config(folder: Path, database_url: str, rules: str, extra: str = "") -> Path:
    path = folder / "autarky.toml"
    path.write_text(f'database_url = "{database_url}"\n{extra}\n{rules}', encoding="utf-8")
    return path


def make_app(config_path: Path) -> App:
    return App(config_path=str(config_path))


def add_series(store: Store, key: str, values: dict[Any, float], *, name: str = "", frequency: str = "A") -> None:
    """Register a series (source from its key) and store values."""
    source, indicator, country = key.split(":")
    store.register_series([SeriesSpec(key=key, indicator=indicator, country=country, source=source, name=name,
                                      frequency=frequency)])
    if values:
        store.write_observations([ObservationIn(key, period, value) for period, value in values.items()])


def resident_patent_share(store: Store) -> dict[int, float]:
    """China's resident patent share RESD / (RESD + NRES) per year, from the stored (bundled) WDI values."""
    frame = store.observations(keys=["wb:IP.PAT.RESD:CHN", "wb:IP.PAT.NRES:CHN"])
    wide = frame.pivot(index="period", columns="series_key", values="value").dropna()
    share = wide["wb:IP.PAT.RESD:CHN"] / (wide["wb:IP.PAT.RESD:CHN"] + wide["wb:IP.PAT.NRES:CHN"])
    return {period.year: float(value) for period, value in share.items()}


SHARE_KEY = "derived:SR.PAT.RESD.SHARE:CHN"


def store_resident_patent_share(store: Store) -> None:
    """Run the real metrics stage on what the store holds, which derives China's resident patent share."""
    from autarky.app import App
    from autarky.metrics.runner import recompute

    recompute(App(_store=store), None)
    assert store.observations(keys=[SHARE_KEY]).shape[0] > 0, "the metrics stage derived no resident patent share"


def load_bundled(store: Store, catalog: Any, indicator: str, countries: tuple[str, ...],
                 until: int | None = None) -> None:
    """Register series of a bundled WDI/NCSES indicator and store its real values (up to `until`, a year)."""
    from autarky.snapshot import SNAPSHOT_FILES, snapshot_rows

    store.register_sources(catalog)
    ind = catalog.indicator(indicator)
    store.register_series([SeriesSpec.for_indicator(ind, c) for c in countries])
    file_name = next(f for f, file in SNAPSHOT_FILES.items() if file.source == ind.source)
    rows = [r for r in snapshot_rows(file_name) if r["indicator"] == indicator and r["country"] in countries
            and (until is None or int(r["year"]) <= until)]
    store.write_observations([ObservationIn(f"{ind.source}:{indicator}:{r['country']}", int(r["year"]), r["value"])
                              for r in rows])
