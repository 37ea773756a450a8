"""partners: trade dimensions of a series (partner ISO3, flow, HS code) for bilateral trade series

Revision ID: 0012_partners
Revises: 0001_core
Create Date: 2026-12-02 07:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_partners'
down_revision = '0001_core'
branch_labels = ('partners',)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('flow', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('hs', sa.String(length=8), nullable=True))
        batch_op.create_index(batch_op.f('ix_series_partner'), ['partner'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_partner'))
        batch_op.drop_column('hs')
        batch_op.drop_column('flow')
        batch_op.drop_column('partner')
