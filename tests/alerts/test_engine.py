"""Alert evaluations end to end on SQLite and PostgreSQL, every email delivered to a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from autarky.alerts import engine
from autarky.alerts.outbox import QUEUED, SENT
from autarky.alerts.models import AlertEvent, Outbox
from autarky.store import ObservationIn
from tests.support.alerts import (SENDER, SHARE_KEY, T0, SmtpRecorder, add_series, load_bundled, make_app,
                                  resident_patent_share, rule, store_resident_patent_share, write_config)

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
WOBBLE = "file:WOBBLE.SHARE:CHN"


def _outbox(store):
    with store.reading() as session:
        return session.scalars(select(Outbox).order_by(Outbox.id)).all()


SHARE_RULE = rule("China resident patent share", "threshold", ("analyst@example.org", "risk-desk@example.com"),
                  series=SHARE_KEY, above=0.8, recover=0.78, severity="critical")
PATENTS = "wb:IP.PAT.RESD:CHN"
PATENTS_RULE = rule("china-resident-patents", "threshold", series=PATENTS, above=1000000)


def test_email_arrives_with_text_html_and_chart_to_the_right_recipients(store, catalog, smtp, checker):
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",))
    load_bundled(store, catalog, "IP.PAT.NRES", ("CHN",))
    store_resident_patent_share(store)
    report = checker(SHARE_RULE, T0)
    assert report.delivery.sent and report.delivery.ok
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["analyst@example.org", "risk-desk@example.com"]
    assert all(len(r.rcpt_tos) == 1 and r.mail_from == SENDER for r in smtp.received)
    mail = smtp.to("analyst@example.org")[0]
    message = mail.message
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == "analyst@example.org"
    assert "FIRING" in message["Subject"] and "China resident patent share" in message["Subject"]
    share_2021 = 1426644 / (1426644 + 159019)
    text, html = mail.parts["text/plain"], mail.parts["text/html"]
    assert f"{share_2021:.4g} in 2021 is above 0.8; recovers below 0.78" in text
    assert "derived%3ASR.PAT.RESD.SHARE%3ACHN" in text and "http://localhost:8501/explorer?series=" in text
    png = mail.parts["image/png"]
    assert png.startswith(b"\x89PNG")
    image = next(p for p in message.walk() if p.get_content_type() == "image/png")
    assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html
    assert f"{share_2021:.4g} in 2021" in html
    assert re.fullmatch(r"<alerts-[0-9a-f]{40}@example\.org>", message["Message-ID"])
    rows = _outbox(store)
    assert [r.status for r in rows] == [SENT, SENT]
    assert {f"<{r.idempotency_key}@example.org>" for r in rows} == {r.message["Message-ID"] for r in smtp.received}


def test_html_escapes_what_users_wrote(store, catalog, smtp, checker):
    store.register_sources(catalog)
    add_series(store, WOBBLE, {2020: 0.9}, name='Share <b>"bold"</b> & co')
    rules = rule("escape <check> & co", "threshold", series=WOBBLE, above=0.5,
                 description="<script>alert('x')</script> & <img src=x onerror=1>")
    checker(rules, T0)
    html = smtp.received[0].parts["text/html"]
    assert "<script>" not in html and "<img src=x" not in html and "<b>\"bold\"</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;img src=x onerror=1&gt;" in html
    assert "Share &lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; co" in html
    assert "escape &lt;check&gt; &amp; co" in html and "<check>" not in html
    assert "<script>alert('x')</script>" in smtp.received[0].parts["text/plain"]


def _release(store, key, year, value):
    store.write_observations([ObservationIn(key, year, value)])


def test_hysteresis_a_wobbling_value_sends_one_alert_not_one_per_wobble(store, catalog, smtp, checker):
    store.register_sources(catalog)
    add_series(store, WOBBLE, {})
    rules = (rule("with-recovery-level", "threshold", ("hysteresis@example.org",), series=WOBBLE, above=0.8,
                  recover=0.78)
             + rule("without-recovery-level", "threshold", ("flappy@example.org",), series=WOBBLE, above=0.8))
    wobble = [0.79, 0.81, 0.795, 0.805, 0.79, 0.81, 0.799, 0.802]
    for step, value in enumerate(wobble):
        _release(store, WOBBLE, 2010 + step, value)
        checker(rules, T0 + step * HOUR)
    steady = [m.message["Subject"] for m in smtp.to("hysteresis@example.org")]
    assert len(steady) == 1 and "FIRING" in steady[0]
    # The same wobble without a recovery level: every crossing is news (fired 4 times, resolved 3 times).
    flappy = [m.message["Subject"] for m in smtp.to("flappy@example.org")]
    assert len(flappy) == 7
    _release(store, WOBBLE, 2030, 0.77)  # truly back below the recovery level
    checker(rules, T0 + 20 * HOUR)
    steady = [m.message["Subject"] for m in smtp.to("hysteresis@example.org")]
    assert len(steady) == 2 and "RESOLVED" in steady[1]


def test_pending_holds_until_the_condition_held_on_n_releases(store, catalog, smtp, checker):
    store.register_sources(catalog)
    add_series(store, WOBBLE, {2018: 0.7})
    rules = rule("held-twice", "threshold", series=WOBBLE, above=0.8, hold=2)
    checker(rules, T0)
    _release(store, WOBBLE, 2019, 0.85)
    report = checker(rules, T0 + HOUR)
    assert [o.step.state.state for o in report.evaluation.outcomes] == ["pending"]
    checker(rules, T0 + 2 * HOUR)  # the same data again is not a second release
    assert engine.load_states(store)[("held-twice", WOBBLE)].state == "pending"
    _release(store, WOBBLE, 2020, 0.79)  # falls back before firing: pending -> ok, silently
    checker(rules, T0 + 3 * HOUR)
    assert engine.load_states(store)[("held-twice", WOBBLE)].state == "ok"
    _release(store, WOBBLE, 2021, 0.82)
    checker(rules, T0 + 4 * HOUR)
    assert smtp.received == []
    _release(store, WOBBLE, 2022, 0.84)
    checker(rules, T0 + 5 * HOUR)
    assert len(smtp.received) == 1 and "FIRING" in smtp.received[0].message["Subject"]
    with store.reading() as session:
        moves = [(e.from_state, e.to_state) for e in session.scalars(select(AlertEvent).order_by(AlertEvent.id))]
    assert moves == [("ok", "pending"), ("pending", "ok"), ("ok", "pending"), ("pending", "firing")]


def test_reminders_slow_down_and_a_resolved_notice_follows(store, catalog, smtp, checker):
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",))
    rules = rule("china-resident-patents", "threshold", series=PATENTS, above=1000000, recover=950000,
                 repeat_after="1d", repeat_max="4d")
    sent_at = []
    for hours in range(0, 12 * 24 + 1, 12):  # twice a day for 12 days
        report = checker(rules, T0 + hours * HOUR)
        if report.delivery.sent:
            sent_at.append(hours // 24)
    # Fired on day 0, then reminders after 1, 2 and 4 days (doubling), then every 4 days (the cap).
    assert sent_at == [0, 1, 3, 7, 11]
    subjects = [m.message["Subject"] for m in smtp.received]
    assert "FIRING" in subjects[0] and all("STILL FIRING" in s for s in subjects[1:])
    assert "reminder 4" in subjects[-1]
    _release(store, PATENTS, 2022, 900000)
    checker(rules, T0 + 13 * DAY)
    assert "RESOLVED" in smtp.received[-1].message["Subject"]
    assert "900,000 in 2022 is no longer above 1,000,000" in smtp.received[-1].parts["text/plain"]
    checker(rules, T0 + 30 * DAY)
    assert len(smtp.received) == 6


def test_one_email_per_recipient_groups_every_notice_of_an_evaluation(store, catalog, smtp, checker):
    load_bundled(store, catalog, "GB.XPD.RSDV.GD.ZS", ("CHN", "USA", "JPN", "KOR"))
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",))
    rules = (rule("R&D intensity above 2.5% of GDP", "threshold", indicator="GB.XPD.RSDV.GD.ZS",
                  countries=["CHN", "USA", "JPN", "KOR"], above=2.5)
             + rule("China resident patents above 1m", "threshold", ("analyst@example.org", "patents@example.org"),
                    series=PATENTS, above=1000000))
    report = checker(rules, T0)
    assert len(report.evaluation.moved) == 5
    assert len(smtp.received) == 2
    analyst = smtp.to("analyst@example.org")
    assert len(analyst) == 1 and "5 alerts (5 firing)" in analyst[0].message["Subject"]
    text = analyst[0].parts["text/plain"]
    for key in ("wb:GB.XPD.RSDV.GD.ZS:CHN", "wb:GB.XPD.RSDV.GD.ZS:USA", "wb:GB.XPD.RSDV.GD.ZS:JPN",
                "wb:GB.XPD.RSDV.GD.ZS:KOR", PATENTS):
        assert key in text
    images = [p for p in analyst[0].message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 5
    patents = smtp.to("patents@example.org")
    assert len(patents) == 1 and "wb:GB.XPD.RSDV.GD.ZS" not in patents[0].parts["text/plain"]


def test_a_restart_between_evaluations_sends_nothing_twice(store, catalog, smtp, checker):
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",))
    load_bundled(store, catalog, "IP.PAT.NRES", ("CHN",))
    store_resident_patent_share(store)
    checker(SHARE_RULE, T0)
    assert len(smtp.received) == 2
    for hours in (1, 2, 3):  # each run is a new App and Store on the same database, like a new process
        report = checker(SHARE_RULE, T0 + hours * HOUR)
        assert report.messages == [] and report.delivery.sent == []
    # An unchanged re-release of the same data changes nothing either.
    store.write_observations([ObservationIn(SHARE_KEY, year, value)
                              for year, value in resident_patent_share(store).items()])
    checker(SHARE_RULE, T0 + 4 * HOUR)
    assert len(smtp.received) == 2


def test_smtp_down_then_up_every_queued_message_arrives_exactly_once(store, catalog, checker, monkeypatch):
    server = SmtpRecorder()  # not started: nothing listens on its port
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",), until=2020)
    rules = (rule("china-resident-patents", "threshold", ("analyst@example.org", "risk-desk@example.com"),
                  series=PATENTS, above=1300000)
             + rule("china-resident-patents-jump", "change", series=PATENTS, pct=5))
    first = checker(rules, T0)
    assert len(first.messages) == 2 and len(first.delivery.failed) == 2
    assert "Connection refused" in first.delivery.failed[0][1] or "refused" in first.delivery.failed[0][1].lower()
    _release(store, PATENTS, 2021, 1426644)  # a new release while the server is still down
    second = checker(rules, T0 + HOUR)
    assert len(second.messages) == 1 and len(second.delivery.failed) == 3
    rows = _outbox(store)
    assert [r.status for r in rows] == [QUEUED] * 3
    assert [r.attempts for r in rows] == [2, 2, 1]
    assert all(r.last_error and r.next_attempt_at is not None for r in rows)
    server.start()
    try:
        third = checker(rules, T0 + 2 * HOUR)
        assert len(third.delivery.sent) == 3 and third.delivery.ok
        assert sorted(r.message["Message-ID"] for r in server.received) == \
            sorted(f"<{r.idempotency_key}@example.org>" for r in rows)
        checker(rules, T0 + 3 * HOUR)
        assert len(server.received) == 3
        assert len(server.to("analyst@example.org")) == 2 and len(server.to("risk-desk@example.com")) == 1
        assert [r.status for r in _outbox(store)] == [SENT] * 3
    finally:
        server.stop()


def test_dry_run_writes_and_sends_nothing(store, catalog, smtp, checker):
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",))
    rules = PATENTS_RULE
    report = checker(rules, T0, dry_run=True)
    assert report.dry_run and len(report.messages) == 1 and report.messages[0].attachments == ()
    assert engine.load_states(store) == {} and _outbox(store) == [] and smtp.received == []
    assert len(checker(rules, T0).delivery.sent) == 1


def test_a_concurrent_evaluation_is_detected_and_redone(store, catalog, smtp, checker, database_url, tmp_path):
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",))
    rules = PATENTS_RULE
    app = make_app(write_config(tmp_path, database_url, rules))
    from autarky.alerts.rules import load_rules
    stale = engine.evaluate(app.store, load_rules(app.config), now=T0)
    checker(rules, T0)  # another process evaluates and records first
    with pytest.raises(engine.StateConflict, match="china-resident-patents on wb:IP.PAT.RESD:CHN changed"):
        engine.record(app.store, stale, [])
    app.close()
    assert len(smtp.received) == 1 and len(_outbox(store)) == 1


def test_rules_matching_no_series_are_reported(store, catalog, smtp, checker):
    store.register_sources(catalog)
    rules = (rule("typo", "threshold", indicator="IP.PAT.RSED", above=1)
             + rule("not-yet", "threshold", series="derived:SR.INDEX:CHN", above=1))
    report = checker(rules, T0)
    assert report.evaluation.warnings == ["rule typo: no stored series of indicator IP.PAT.RSED",
                                          "rule not-yet: series derived:SR.INDEX:CHN not stored (yet)"]
    assert report.evaluation.outcomes == []
