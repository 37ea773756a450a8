"""collector cursors, scheduler lock and APScheduler job store (same columns APScheduler 3 creates)

Revision ID: 0004_collectors
Revises: 0001_core
Create Date: 2026-11-28 13:38:19.549830
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_collectors'
down_revision = '0001_core'
branch_labels = ('collectors',)
# Written after 0002 and once chained on it: databases migrated then store this revision, not 0002, as applied,
# so 0002 stays an ancestor through this dependency (nothing here uses the forecast or alert tables).
depends_on = ('0002_forecast_alerts',)


def upgrade() -> None:
    op.create_table('apscheduler_jobs',
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apscheduler_jobs_next_run_time'), ['next_run_time'], unique=False)

    op.create_table('collector_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=500), nullable=False),
    sa.Column('cursor', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'key', name='uq_collector_state_source_key')
    )
    with op.batch_alter_table('collector_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collector_state_source'), ['source'], unique=False)

    op.create_table('scheduler_lock',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('scheduler_lock')
    with op.batch_alter_table('collector_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collector_state_source'))

    op.drop_table('collector_state')
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apscheduler_jobs_next_run_time'))

    op.drop_table('apscheduler_jobs')
