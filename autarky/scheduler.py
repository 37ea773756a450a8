"""`autarky schedule`: the collectors on cron in their own process, then the downstream chain on what changed.

APScheduler 3 runs the jobs in a thread pool (BackgroundScheduler) with its job store on the same database; the main
thread keeps the single-scheduler lock's heartbeat and waits for SIGTERM/SIGINT, so the signal handler only sets a
flag and the shutdown (waiting for the job in flight, which stops between batches) happens outside it.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
import logging
import signal
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import click
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import SQLAlchemyError

from autarky.app import App
from autarky.collectors.registry import default_registry
from autarky.collectors.settings import collector_settings
from autarky.config import positive, setting
from autarky.db import IMMEDIATE, is_sqlite
from autarky.errors import AutarkyError, ConfigError
from autarky.pipeline import collect_and_propagate
from autarky.references import reference_to
from autarky.scheduler_lock import SchedulerLock
from autarky.scheduler_models import JOBS_TABLE

log = logging.getLogger("autarky.scheduler")

MISFIRE_GRACE_SECONDS = 3600  # a job missed by less than this (scheduler down, busy) still runs once
HEARTBEAT_SECONDS = 15.0
STALE_AFTER_SECONDS = 60.0    # a lock without heartbeat for this long belongs to a dead scheduler
MAX_WORKERS = 2
RECENT_JOBS = 100             # job summaries kept in memory (the run log is in collection_run)
JOB_PREFIX = "collect:"
JOBSTORE = "default"


@dataclass(frozen=True)
class SchedulerSettings:
    """The `[scheduler]` table (a section spec: `Config.read` checks every key)."""

    misfire_grace_time: int = setting(MISFIRE_GRACE_SECONDS, check=positive)
    heartbeat_seconds: float = setting(HEARTBEAT_SECONDS, check=positive)
    stale_after_seconds: float = setting(STALE_AFTER_SECONDS, check=positive)
    max_workers: int = setting(MAX_WORKERS, check=positive)

    @classmethod
    def from_config(cls, app: App) -> "SchedulerSettings":
        settings = app.config.read(cls, "scheduler")
        if settings.stale_after_seconds <= settings.heartbeat_seconds:
            raise ConfigError(f"{app.config.origin} [scheduler] stale_after_seconds: must be longer than "
                              f"heartbeat_seconds ({settings.heartbeat_seconds:g})")
        return settings


@dataclass(frozen=True)
class JobSpec:
    name: str
    cron: str

    @property
    def job_id(self) -> str:
        return JOB_PREFIX + self.name

    def trigger(self) -> CronTrigger:
        try:
            return CronTrigger.from_crontab(self.cron, timezone=dt.timezone.utc)
        except ValueError as exc:
            raise ConfigError(f"[collectors.{self.name}] cron {self.cron!r}: {exc}") from None


def job_specs(app: App) -> list[JobSpec]:
    """One job per enabled collector with a cron (config `[collectors.<name>] cron`, else its default)."""
    specs = []
    for cls in default_registry():
        settings = collector_settings(app.config, cls.name, cls.defaults)
        if settings.enabled and settings.cron:
            spec = JobSpec(cls.name, settings.cron)
            spec.trigger()  # a bad cron fails at start, naming the collector
            specs.append(spec)
    return specs


@dataclass
class _Runtime:
    """What the job function needs inside the scheduler process (jobs are stored by reference, not pickled apps)."""

    app: App
    stop: threading.Event
    downstream_lock: threading.Lock = field(default_factory=threading.Lock)
    completed: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=RECENT_JOBS))


_runtime: _Runtime | None = None


def run_collection_job(name: str) -> dict[str, Any]:
    """The scheduled job: collect one source, then the downstream chain for the series it changed."""
    runtime = _runtime
    if runtime is None:
        raise RuntimeError("run_collection_job runs only inside `autarky schedule`")
    registry = default_registry()
    cls = registry.get(name)
    settings = collector_settings(runtime.app.config, name, cls.defaults)
    indicators, countries = (_names(name, key, settings.option(key, [])) for key in ("indicators", "countries"))
    # Stopping: the changed series stay pending (marked with their batches) and the next job runs the chain.
    outcome = collect_and_propagate(runtime.app, [name], indicators, countries, registry=registry, prepare=False,
                                    stop=runtime.stop, lock=runtime.downstream_lock)
    changed, results = outcome.changed, outcome.results
    downstream: dict[str, list[str]] = {}
    if outcome.downstream is not None:
        downstream = {stage: sorted(keys) for stage, keys in outcome.downstream.by_stage.items()}
        log.info("%s: downstream ran on %d series: %s", name, len(outcome.downstream.changed),
                 ", ".join(downstream) or "-")
    summary = {"source": name, "changed": sorted(changed), "failed": [r.name for r in results if r.failed],
               "downstream": downstream}
    runtime.completed.append(summary)
    return summary


# APScheduler stores its jobs by text reference; the one place that makes (and checks) it is autarky.references.
JOB_FUNCTION = reference_to(run_collection_job)


def _names(collector: str, key: str, value: Any) -> list[str]:
    """`[collectors.<name>] indicators/countries`: what the scheduled job collects (default: everything)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[collectors.{collector}] {key} must be a list of codes, got {value!r}")
    return value


def build_scheduler(app: App, settings: SchedulerSettings,
                    scheduler_class: type[BaseScheduler] = BackgroundScheduler) -> BaseScheduler:
    """A scheduler whose job store lives in the Autarky database (table apscheduler_jobs, made by migrations)."""
    engine = app.store.engine
    if is_sqlite(engine):
        engine = engine.execution_options(**{IMMEDIATE: True})
    return scheduler_class(
        jobstores={JOBSTORE: SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
        executors={"default": ThreadPoolExecutor(settings.max_workers)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": settings.misfire_grace_time},
        timezone=dt.timezone.utc,
    )


def install_jobs(scheduler: BaseScheduler, specs: list[JobSpec], *, run_now: bool = False) -> None:
    """Make the stored jobs the configured ones (call on a started, paused scheduler). A stored job whose cron has
    not changed keeps its next run time, so a run missed while no scheduler ran still happens (within the grace)."""
    wanted = {spec.job_id for spec in specs}
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            job.remove()
    now = dt.datetime.now(dt.timezone.utc)
    for spec in specs:
        trigger, stored = spec.trigger(), scheduler.get_job(spec.job_id)
        if stored is None or str(stored.trigger) != str(trigger) or list(stored.args) != [spec.name]:
            scheduler.add_job(JOB_FUNCTION, trigger, args=[spec.name], id=spec.job_id, name=f"collect {spec.name}",
                              replace_existing=True)
        if run_now:
            scheduler.modify_job(spec.job_id, next_run_time=now)


def start(app: App, *, run_now: bool = False, stop: threading.Event | None = None,
          scheduler_class: type[BaseScheduler] = BackgroundScheduler) -> BaseScheduler:
    """Start the scheduler threads with the configured jobs (the lock is the caller's business)."""
    global _runtime
    settings = SchedulerSettings.from_config(app)
    specs = job_specs(app)
    app.catalog  # noqa: B018 - load config and catalog once, before job threads share the app
    _runtime = _Runtime(app, stop or threading.Event())
    scheduler = build_scheduler(app, settings, scheduler_class)
    scheduler.add_listener(_log_job_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start(paused=True)
    install_jobs(scheduler, specs, run_now=run_now)
    scheduler.resume()
    return scheduler


def stop_scheduler(scheduler: BaseScheduler) -> None:
    """Stop taking jobs and wait for the one in flight (it stops between batches once the stop flag is set)."""
    global _runtime
    if _runtime is not None:
        _runtime.stop.set()
    if scheduler.running:
        scheduler.pause()
        # Detach the job store first: APScheduler's loop, woken while shutting down, would otherwise take a due run
        # from the store, fail to submit it to the stopped executor, and move the job to its next cron time.
        scheduler.remove_jobstore(JOBSTORE)
        scheduler.shutdown(wait=True)
    _runtime = None


def run_scheduler(app: App, *, run_now: bool = False, echo: Callable[[str], None] = log.info) -> None:
    """The `autarky schedule` process: lock, start, heartbeat until SIGTERM/SIGINT, stop cleanly, unlock."""
    settings = SchedulerSettings.from_config(app)
    app.store.upgrade()
    lock = SchedulerLock(app.store, stale_after=settings.stale_after_seconds)
    lock.acquire()
    if lock.took_over:
        echo(f"took over the lock of a scheduler that stopped answering: {lock.took_over}")
    for line in app.store.mark_interrupted_runs():
        echo(f"marked {line}")
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    scheduler = None
    try:
        scheduler = start(app, run_now=run_now, stop=stop)
        for job in scheduler.get_jobs():
            echo(f"scheduled {job.name}: next run {job.next_run_time:%Y-%m-%d %H:%M %Z}")
        echo(f"scheduler running as pid {lock.pid} on {lock.host}; stop it with SIGTERM or Ctrl-C")
        while not stop.wait(settings.heartbeat_seconds):
            try:
                still_ours = lock.heartbeat()
            except SQLAlchemyError as exc:  # a passing database outage: jobs will fail and log it themselves
                log.warning("heartbeat failed: %s", str(exc).splitlines()[0])
                continue
            if not still_ours:
                raise SchedulerLost("this scheduler lost its lock to another one; stopping")
    finally:
        stop.set()
        if scheduler is not None:
            stop_scheduler(scheduler)
        lock.release()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    echo("scheduler stopped")


class SchedulerLost(AutarkyError):
    """Another scheduler took the lock over (this one was silent for too long)."""


def _log_job_event(event: Any) -> None:
    if getattr(event, "exception", None):
        log.error("job %s failed: %s", event.job_id, event.exception)


@click.command("schedule", short_help="Run the collectors on cron in this process (one per database).")
@click.option("--run-now", is_flag=True, help="Also run every collection once right away.")
@click.option("--list", "list_only", is_flag=True, help="Print the jobs and their next run times, then exit.")
@click.pass_obj
def schedule_command(app: App, run_now: bool, list_only: bool) -> None:
    """Run the collectors on their cron schedules (own process, one per database), then the downstream steps."""
    if list_only:
        now = dt.datetime.now(dt.timezone.utc)
        for spec in job_specs(app):
            upcoming = spec.trigger().get_next_fire_time(None, now)
            click.echo(f"{spec.name:10s} {spec.cron:16s} next {upcoming:%Y-%m-%d %H:%M} UTC")
        return
    run_scheduler(app, run_now=run_now)  # its lines are log lines, in the CLI's one format (autarky.logging_setup)
