"""pipeline: pending downstream work in its own table; collection runs know their process and heartbeat

Revision ID: 0010_pipeline
Revises: 0001_core
Create Date: 2026-12-02 16:00:00

The pending-downstream marks used to live in collector_state under the pretend source `_downstream`; they move
to pending_downstream (same keys, same times) and are removed from collector_state.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_pipeline'
down_revision = '0001_core'
# The kernel's own branch (pending_downstream, collection_run columns): later kernel migrations chain on core@head.
branch_labels = ('core',)
# collector_state, whose `_downstream` rows move here; 0013_events was this revision's parent once, so databases
# migrated then store this revision, not 0013, as applied: it stays an ancestor through this dependency.
depends_on = ('0004_collectors', '0013_events')

PRETEND_SOURCE = '_downstream'


def upgrade() -> None:
    op.create_table('pending_downstream',
    sa.Column('series_key', sa.String(length=200), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('series_key')
    )
    op.execute(sa.text("INSERT INTO pending_downstream (series_key, marked_at) "
                       "SELECT key, updated_at FROM collector_state WHERE source = :source")
               .bindparams(source=PRETEND_SOURCE))
    op.execute(sa.text("DELETE FROM collector_state WHERE source = :source").bindparams(source=PRETEND_SOURCE))
    with op.batch_alter_table('collection_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('pid', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('collection_run', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('pid')
        batch_op.drop_column('host')
    op.execute(sa.text("INSERT INTO collector_state (source, key, cursor, updated_at) "
                       "SELECT :source, series_key, '{}', marked_at FROM pending_downstream")
               .bindparams(source=PRETEND_SOURCE))
    op.drop_table('pending_downstream')
