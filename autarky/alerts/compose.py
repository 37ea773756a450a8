"""Alert emails: all notices of one evaluation for one recipient in one message, as text, escaped HTML and charts."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from html import escape
from typing import Any, Mapping, Sequence
from urllib.parse import urlencode

import pandas as pd

from autarky.alerts.chart import render_chart
from autarky.alerts.kinds import Check
from autarky.alerts.outbox import Message
from autarky.alerts.rules import Rule
from autarky.alerts.states import CLEARED, FIRED, REPEAT, AlertState

SUBJECT_PREFIX = "[Autarky]"
MAX_SUBJECT = 160
MAX_CHARTS = 8
DEFAULT_DASHBOARD_URL = "http://localhost:8501"
# Dashboard pages (Streamlit page paths) that show one series and the collectors' health.
EXPLORER_PAGE = "explorer"
HEALTH_PAGE = "data_health"
_HEADLINE = {FIRED: "FIRING", REPEAT: "STILL FIRING", CLEARED: "RESOLVED"}
_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
_NOTICE_RANK = {FIRED: 0, REPEAT: 1, CLEARED: 2}
_COLOURS = {FIRED: "#c62828", REPEAT: "#ef6c00", CLEARED: "#2e7d32"}


@dataclass(frozen=True)
class Target:
    """What a rule watches: a stored series, or a collector (key `source:<name>`)."""

    key: str
    name: str = ""
    country: str = ""
    country_name: str = ""
    unit: str = ""
    frequency: str = "A"
    source: str | None = None  # set for collector targets
    partner: str = ""  # the partner of a bilateral series ("" for the World)
    partner_name: str = ""

    @property
    def label(self) -> str:
        if self.source:
            return f"collector {self.source}"
        parts = [p for p in (self.name or self.key, self.country_name or self.country) if p]
        partner = self.partner_name or self.partner
        return ", ".join(parts) + (f", with {partner}" if partner else "")


@dataclass(frozen=True)
class Notice:
    """One item of an alert email: which rule, on what, what happened and the figures behind it."""

    kind: str  # FIRED | REPEAT | CLEARED
    rule: Rule
    target: Target
    check: Check
    state: AlertState  # the state after this evaluation
    values: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    forecast: pd.DataFrame | None = None
    events: tuple = ()  # relevant policy events: (date, short label)

    @property
    def identity(self) -> str:
        """Unique per real notice: a rule, a target, what happened, and when this episode or reminder began."""
        since = self.state.since.isoformat() if self.state.since else ""
        return f"{self.rule.name}|{self.target.key}|{self.kind}|{since}|{self.state.notify_count}"

    @property
    def headline(self) -> str:
        if self.kind == REPEAT:
            return f"{_HEADLINE[REPEAT]} (reminder {self.state.notify_count - 1})"
        return _HEADLINE[self.kind]


def dashboard_link(base_url: str, target: Target) -> str:
    """The dashboard page for the target: the explorer with the series in the query string, or data health."""
    base = base_url.rstrip("/")
    if target.source:
        return f"{base}/{HEALTH_PAGE}?{urlencode({'source': target.source})}"
    return f"{base}/{EXPLORER_PAGE}?{urlencode({'series': target.key})}"


def compose(notices: Sequence[Notice], *, now: dt.datetime, dashboard_url: str = DEFAULT_DASHBOARD_URL,
            charts: bool = True) -> list[Message]:
    """One message per recipient, holding every notice of this evaluation that goes to them."""
    by_recipient: dict[str, list[Notice]] = {}
    for notice in notices:
        for recipient in notice.rule.recipients:
            by_recipient.setdefault(recipient, []).append(notice)
    rendered: dict[str, dict[str, str]] = {}  # one chart per notice, shared by every recipient's message
    messages = []
    for recipient, items in sorted(by_recipient.items()):
        items = sorted(items, key=lambda n: (_NOTICE_RANK[n.kind], _SEVERITY_RANK[n.rule.severity], n.rule.name,
                                             n.target.key))
        images = []
        if charts:
            for notice in [n for n in items if not n.target.source and not n.values.empty][:MAX_CHARTS]:
                if notice.identity not in rendered:
                    rendered[notice.identity] = _chart(notice, len(rendered))
                images.append(rendered[notice.identity])
        by_identity = {image["identity"]: image for image in images}
        messages.append(Message(
            key=message_key(recipient, items), recipients=(recipient,), subject=subject(items),
            body_text=_text(items, now, dashboard_url),
            body_html=_html(items, now, dashboard_url, by_identity),
            attachments=tuple({k: v for k, v in image.items() if k != "identity"} for image in images)))
    return messages


def message_key(recipient: str, notices: Sequence[Notice]) -> str:
    """The idempotency key: the same notices for the same recipient always give the same key."""
    digest = hashlib.sha256("\n".join([recipient, *sorted(n.identity for n in notices)]).encode("utf-8"))
    return f"alerts-{digest.hexdigest()[:40]}"


def subject(notices: Sequence[Notice]) -> str:
    if len(notices) == 1:
        n = notices[0]
        text = f"{SUBJECT_PREFIX} {n.headline}: {n.rule.name} - {n.target.label}"
    else:
        counts = _counts(notices)
        names = ", ".join(dict.fromkeys(n.rule.name for n in notices))
        text = f"{SUBJECT_PREFIX} {len(notices)} alerts ({counts}): {names}"
    text = " ".join(text.split())
    return text if len(text) <= MAX_SUBJECT else text[:MAX_SUBJECT - 3] + "..."


def _counts(notices: Sequence[Notice]) -> str:
    tally = {kind: sum(1 for n in notices if n.kind == kind) for kind in _NOTICE_RANK}
    return ", ".join(f"{count} {_HEADLINE[kind].lower()}" for kind, count in tally.items() if count)


def _facts(notice: Notice, dashboard_url: str) -> list[tuple[str, str]]:
    """The lines under each notice's heading, as (label, text); shared by the text and the HTML part."""
    rule, state = notice.rule, notice.state
    facts = [("What", notice.check.summary), ("Rule", f"{rule.kind}: {rule.condition}")]
    if state.since:
        facts.append(("Since", f"{state.state} since {state.since:%Y-%m-%d %H:%M} UTC"))
    if rule.description:
        facts.append(("About", rule.description))
    facts.append(("Open", dashboard_link(dashboard_url, notice.target)))
    return facts


def _text(notices: Sequence[Notice], now: dt.datetime, dashboard_url: str) -> str:
    lines = [f"Autarky alerts, evaluated {now:%Y-%m-%d %H:%M} UTC: {_counts(notices)}.", ""]
    for n in notices:
        lines.append(f"{n.headline} [{n.rule.severity}] {n.rule.name}")
        lines.append(f"  {n.target.label} ({n.target.key})")
        lines.extend(f"  {label}: {text}" for label, text in _facts(n, dashboard_url))
        lines.append("")
    lines.append(_FOOTER)
    return "\n".join(lines) + "\n"


_FOOTER = ("You receive this because you are a recipient of these rules ([[alerts.rule]] in autarky.toml). "
           "Values are as published by the sources; see the dashboard for their vintages and revisions.")


def _html(notices: Sequence[Notice], now: dt.datetime, dashboard_url: str,
          images: Mapping[str, Mapping[str, str]]) -> str:
    blocks = []
    for n in notices:
        rows = "".join(
            f'<tr><td style="color:#555;padding:2px 12px 2px 0;vertical-align:top">{escape(label)}</td>'
            f'<td style="padding:2px 0">{_link(text) if label == "Open" else escape(text)}</td></tr>'
            for label, text in _facts(n, dashboard_url))
        image = images.get(n.identity)
        chart = (f'<p><img src="cid:{escape(image["cid"])}" alt="{escape(n.target.label)} chart" width="640" '
                 f'style="max-width:100%"></p>' if image else "")
        blocks.append(
            f'<div style="border-left:4px solid {_COLOURS[n.kind]};padding:4px 12px;margin:16px 0">'
            f'<h3 style="margin:4px 0">{escape(n.headline)} <small>[{escape(n.rule.severity)}]</small> '
            f'{escape(n.rule.name)}</h3>'
            f'<p style="margin:4px 0"><b>{escape(n.target.label)}</b> <code>{escape(n.target.key)}</code></p>'
            f'<table style="border-collapse:collapse;font-size:14px">{rows}</table>{chart}</div>')
    return (f'<!DOCTYPE html><html><body style="font-family:sans-serif;color:#222">'
            f'<p>Autarky alerts, evaluated {now:%Y-%m-%d %H:%M} UTC: {escape(_counts(notices))}.</p>'
            f'{"".join(blocks)}<p style="color:#777;font-size:12px">{escape(_FOOTER)}</p></body></html>')


def _link(url: str) -> str:
    return f'<a href="{escape(url, quote=True)}">{escape(url)}</a>'


def _chart(notice: Notice, number: int) -> dict[str, Any]:
    png = render_chart(notice.values, title=f"{notice.target.label} ({notice.rule.name})", forecast=notice.forecast,
                       marks=notice.check.marks, period=notice.check.period, events=notice.events)
    digest = hashlib.sha256(notice.identity.encode("utf-8")).hexdigest()[:12]
    return {"identity": notice.identity, "name": f"chart-{number + 1}.png", "mime": "image/png",
            "cid": f"chart-{digest}@autarky", "base64": base64.b64encode(png).decode("ascii")}
