"""metrics: per-component contributions behind every stored Self-Reliance Index value

Revision ID: 0003_metrics
Revises: 0001_core
Create Date: 2026-11-28 13:38:43.343109
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_metrics'
down_revision = '0001_core'
branch_labels = ('metrics',)
# Written after 0002 and once chained on it: databases migrated then store this revision, not 0002, as applied,
# so 0002 stays an ancestor through this dependency (nothing here uses the forecast or alert tables).
depends_on = ('0002_forecast_alerts',)


def upgrade() -> None:
    op.create_table('index_contribution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('component', sa.String(length=100), nullable=False),
    sa.Column('input_key', sa.String(length=200), nullable=False),
    sa.Column('value_period', sa.Date(), nullable=False),
    sa.Column('raw_value', sa.Float(), nullable=False),
    sa.Column('value_used', sa.Float(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('effective_weight', sa.Float(), nullable=False),
    sa.Column('contribution', sa.Float(), nullable=False),
    sa.Column('base_count', sa.Integer(), nullable=False),
    sa.Column('base_min', sa.Float(), nullable=False),
    sa.Column('base_max', sa.Float(), nullable=False),
    sa.Column('base_mean', sa.Float(), nullable=False),
    sa.Column('base_sd', sa.Float(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('series_id', 'period', 'component', name='uq_index_contribution')
    )
    with op.batch_alter_table('index_contribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_index_contribution_series_id'), ['series_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('index_contribution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_index_contribution_series_id'))

    op.drop_table('index_contribution')
