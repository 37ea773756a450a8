"""Alembic environment: runs on the connection the store hands over (batch mode so SQLite can alter tables).

It leaves logging alone (no alembic.ini, no logging.config.fileConfig): Alembic's lines go through the one format
the process set with autarky.logging_setup.configure_logging."""

from alembic import context

from autarky.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("autarky migrations run through autarky.store.Store.upgrade(), which passes a connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
