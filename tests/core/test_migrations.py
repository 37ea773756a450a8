"""Upgrading a database made before migration 0010_pipeline: the old pending-downstream marks move to their table."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from autarky import migrate
from autarky.db import create_database
from autarky.store import Store

OLD_HEADS = ("0003_metrics", "0004_collectors", "0012_partners", "0013_events")


def test_upgrade_from_before_the_pipeline_migration_moves_the_downstream_marks(database_url):
    store = Store(database_url)
    create_database(database_url)
    cfg = migrate.alembic_config()
    with store.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        for head in OLD_HEADS:
            command.upgrade(cfg, head)
    with store.engine.begin() as connection:
        assert "pending_downstream" not in inspect(connection).get_table_names()
        connection.execute(text("INSERT INTO collector_state (source, key, cursor, updated_at) VALUES "
                                "('_downstream', 'wb:NY.GDP.MKTP.CD:CHN', '{}', '2026-11-30 10:00:00'), "
                                "('wb', 'wb:NY.GDP.MKTP.CD:CHN', '{\"lastupdated\": \"2025-07-01\"}', "
                                "'2026-11-30 10:00:00')"))
        connection.execute(text("INSERT INTO collection_run (source, started_at, status, inserted, updated, "
                                "unchanged, rejected) VALUES ('wb', '2026-11-30 09:00:00', 'running', 0, 0, 0, 0)"))
    store.upgrade()
    assert set(store.pending_downstream()) == {"wb:NY.GDP.MKTP.CD:CHN"}
    with store.reading() as session:
        left = session.execute(text("SELECT source FROM collector_state")).scalars().all()
    assert left == ["wb"]  # the cursors stay; only the pretend source moved
    # A run from before the heartbeat column has none: it counts as stale from its start.
    assert len(store.mark_interrupted_runs(stale_after=3600)) == 1
    store.close()


def test_every_branch_off_the_core_has_a_label_and_heads_are_known():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    for name in ("forecast", "alerts", "metrics", "collectors", "partners", "events", "core"):
        assert script.get_revision(f"{name}@head") is not None
    # Every stage branch starts at the core: no stage's migration chains on another stage's.
    for name in ("forecast", "metrics", "collectors", "partners", "events", "core"):
        first = [rev for rev in script.walk_revisions() if name in rev.branch_labels
                 and name not in script.get_revision(rev.down_revision).branch_labels]
        assert [rev.down_revision for rev in first] == ["0001_core"], name
    forks = [rev for rev in script.walk_revisions() if len(rev.nextrev) > 1]
    for fork in forks:  # every revision after a fork starts a labelled branch
        for child in fork.nextrev:
            assert script.get_revision(child).branch_labels, f"{child} branches off {fork.revision} unlabelled"


# What a fully upgraded database stored under the graph before each stage's branch started at the core (0003 and
# 0004 chained on 0002, 0010 on 0013): the same revision ids must still mean "everything is applied".
STORED_BEFORE_THE_STAGE_BRANCHES = {"0003_metrics", "0010_pipeline", "0012_partners"}


def test_a_database_upgraded_before_the_stage_branches_has_nothing_left_to_do(database_url):
    store = Store(database_url)
    store.upgrade()
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
        for version in sorted(STORED_BEFORE_THE_STAGE_BRANCHES):
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
    store.upgrade()  # would fail creating forecast_run or policy_event again if 0002 or 0013 looked unapplied
    with store.engine.connect() as connection:
        stored = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
        tables = set(inspect(connection).get_table_names())
    assert stored == STORED_BEFORE_THE_STAGE_BRANCHES
    assert {"forecast_run", "alert_state", "outbox", "policy_event", "pending_downstream"} <= tables
    store.close()
