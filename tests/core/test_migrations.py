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
    for name in ("metrics", "collectors", "partners", "events"):
        assert script.get_revision(f"{name}@head") is not None
    forks = [rev for rev in script.walk_revisions() if len(rev.nextrev) > 1]
    for fork in forks:  # every revision after a fork starts a labelled branch
        for child in fork.nextrev:
            assert script.get_revision(child).branch_labels, f"{child} branches off {fork.revision} unlabelled"
