"""`autarky alerts check|list|test-email`."""

from __future__ import annotations

import smtplib
from html import escape

import click

from autarky.alerts import engine, outbox
from autarky.alerts.mail import SmtpSettings, build_email, send_now
from autarky.alerts.rules import is_email, load_rules
from autarky.app import App
from autarky.errors import AutarkyError
from autarky.models import utcnow

RECENT_EVENTS = 15


class DeliveryError(AutarkyError):
    """A message could not be sent; it stays in the outbox for the next run."""


@click.group("alerts")
def alerts() -> None:
    """Alert rules, their states and the email outbox.

    Rules are the [[alerts.rule]] tables of autarky.toml; SMTP settings come from AUTARKY_SMTP_* only.
    """


@alerts.command("check")
@click.option("--dry-run", is_flag=True, help="Show what would change and be sent; write and send nothing.")
@click.pass_obj
def check_command(app: App, dry_run: bool) -> None:
    """Evaluate the rules, queue alert emails and send the outbox.

    Every queued email is tried now, whatever its backoff. Exits 1 when an email could not be sent: it stays queued
    and the next run tries it again.
    """
    report = engine.check(app, dry_run=dry_run)
    evaluation = report.evaluation
    for warning in evaluation.warnings:
        click.echo(f"warning: {warning}", err=True)
    prefix = "would be " if dry_run else ""
    for o in evaluation.moved:
        notice = f" [{o.step.notice} notice]" if o.step.notice else ""
        click.echo(f"{o.rule.name}  {o.target.key}  {o.previous.state} -> {o.step.state.state}{notice}: "
                   f"{o.check.summary}")
    click.echo(f"{len(evaluation.outcomes)} alert(s) evaluated, {len(evaluation.moved)} changed, "
               f"{len(report.messages)} email(s) {prefix}queued")
    for message in report.messages:
        click.echo(f"  {prefix}queued for {', '.join(message.recipients)}: {message.subject}")
    delivery = report.delivery
    if delivery is None:
        return
    if delivery.sent:
        click.echo(f"sent {len(delivery.sent)} email(s)")
    if delivery.waiting:
        click.echo(f"{delivery.waiting} email(s) wait for their next attempt")
    if delivery.failed:
        raise DeliveryError(f"{len(delivery.failed)} email(s) could not be sent and stay queued for the next run: "
                            f"{delivery.failed[0][1]}")


@alerts.command("list")
@click.pass_obj
def list_command(app: App) -> None:
    """Show the rules, each alert's state, recent events and the outbox."""
    rules = load_rules(app.config)
    click.echo(f"rules ({len(rules)}):" if rules else "no rules: add [[alerts.rule]] tables to autarky.toml "
                                                       "(see alerts.example.toml)")
    for rule in rules:
        off = "  (disabled)" if not rule.enabled else ""
        to = ", ".join(rule.recipients) or "nobody"
        click.echo(f"  {rule.name} [{rule.severity}] {rule.kind}: {rule.target}: {rule.condition}; to {to}{off}")
    states = engine.load_states(app.store)
    known = {rule.name for rule in rules}
    shown = sorted((k, s) for k, s in states.items() if k[0] in known)
    click.echo(f"\nstates ({len(shown)}):")
    for (rule, key), state in shown:
        since = f" since {state.since:%Y-%m-%d %H:%M}" if state.since else ""
        click.echo(f"  {state.state:8s} {rule}  {key}{since}: {state.summary or '-'}")
    events = engine.recent_events(app.store, RECENT_EVENTS)
    click.echo(f"\nlast events ({len(events)}):")
    for e in events.itertuples():
        click.echo(f"  {e.at:%Y-%m-%d %H:%M} {e.rule}  {e.series_key}  {e.from_state} -> {e.to_state}: {e.message}")
    summary = outbox.queue_summary(app.store)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary["counts"].items())) or "empty"
    click.echo(f"\noutbox: {counts}")
    for w in summary["waiting"]:
        retry = f", next attempt {w['next_attempt_at']:%Y-%m-%d %H:%M}" if w["next_attempt_at"] else ""
        error = f", last error: {w['error']}" if w["error"] else ""
        click.echo(f"  to {', '.join(w['recipients'])}: {w['subject']} ({w['attempts']} attempt(s){retry}{error})")


@alerts.command("test-email")
@click.argument("to")
@click.pass_obj
def test_email_command(app: App, to: str) -> None:  # noqa: ARG001 - settings come from the environment only
    """Send a test email to TO now to check the SMTP settings.

    It goes straight through SMTP (not the outbox), with the AUTARKY_SMTP_* settings.
    """
    if not is_email(to):
        raise AutarkyError(f"test-email: {to!r} is not an email address")
    settings = SmtpSettings.from_env()
    if settings is None:
        raise AutarkyError("SMTP is not configured: set AUTARKY_SMTP_HOST (and _PORT, _FROM, _USER, _PASSWORD, "
                           "_STARTTLS or _SSL)")
    now = utcnow()
    text = (f"This is a test email from Autarky, sent {now:%Y-%m-%d %H:%M} UTC through {settings.describe()}.\n"
            "Alert emails will come from this address.\n")
    message = build_email(key=f"test-{now:%Y%m%d%H%M%S%f}", sender=settings.sender, recipients=[to],
                          subject="[Autarky] test email", body_text=text,
                          body_html=f"<p>{escape(text).replace(chr(10), '<br>')}</p>", attachments=None,
                          created_at=now)
    try:
        send_now(settings, message)
    except (smtplib.SMTPException, OSError) as exc:
        raise AutarkyError(f"test email to {to} failed: SMTP {settings.describe()}: {exc}") from None
    click.echo(f"sent a test email to {to} through {settings.describe()}")
