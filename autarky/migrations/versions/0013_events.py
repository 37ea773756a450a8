"""events: dated policy measures (export controls, countermeasures, industrial policy) marked on charts

Revision ID: 0013_events
Revises: 0001_core
Create Date: 2026-12-02 07:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_events'
down_revision = '0001_core'
branch_labels = ('events',)
depends_on = None


def upgrade() -> None:
    op.create_table('policy_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('affects', sa.String(length=300), nullable=False),
    sa.Column('hs_codes', sa.String(length=300), nullable=False),
    sa.Column('source_name', sa.Text(), nullable=False),
    sa.Column('source_url', sa.String(length=1000), nullable=False),
    sa.Column('source_quote', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('policy_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_event_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_event_actor'), ['actor'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('policy_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_event_actor'))
        batch_op.drop_index(batch_op.f('ix_policy_event_date'))
    op.drop_table('policy_event')
