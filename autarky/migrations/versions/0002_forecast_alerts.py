"""forecast and alert tables: the root of two stage branches, `forecast` and `alerts`

Written before each stage owned its tables, this one revision creates both stages' tables: forecast_run,
forecast_point, backtest_score (autarky.forecast.tables) and alert_state, alert_event, outbox (autarky.alerts.models).
A new forecast migration chains on `forecast@head`, a new alert migration on `alerts@head` (with its own label once
both exist). Its id stays so existing databases upgrade.

Revision ID: 0002_forecast_alerts
Revises: 0001_core
Create Date: 2026-11-28 13:30:36.328973
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_forecast_alerts'
down_revision = '0001_core'
branch_labels = ('forecast', 'alerts')
depends_on = None


def upgrade() -> None:

    op.create_table('alert_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('series_key', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_event_rule'), ['rule'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_event_series_key'), ['series_key'], unique=False)

    op.create_table('alert_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('series_key', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pending_count', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Float(), nullable=True),
    sa.Column('last_evaluated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notify_count', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rule', 'series_key', name='uq_alert_state_rule_series')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('attachments', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_status'), ['status'], unique=False)

    op.create_table('forecast_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=True),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('config_hash', sa.String(length=64), nullable=False),
    sa.Column('n_obs', sa.Integer(), nullable=False),
    sa.Column('horizon', sa.Integer(), nullable=False),
    sa.Column('last_period', sa.Date(), nullable=True),
    sa.Column('samples', sa.JSON(), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('forecast_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_run_series_id'), ['series_id'], unique=False)

    op.create_table('backtest_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('horizon', sa.Integer(), nullable=False),
    sa.Column('origins', sa.Integer(), nullable=False),
    sa.Column('mase', sa.Float(), nullable=True),
    sa.Column('smape', sa.Float(), nullable=True),
    sa.Column('coverage80', sa.Float(), nullable=True),
    sa.Column('coverage95', sa.Float(), nullable=True),
    sa.Column('chosen', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('backtest_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_backtest_score_run_id'), ['run_id'], unique=False)

    op.create_table('forecast_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('ds', sa.Date(), nullable=False),
    sa.Column('yhat', sa.Float(), nullable=False),
    sa.Column('lo80', sa.Float(), nullable=False),
    sa.Column('hi80', sa.Float(), nullable=False),
    sa.Column('lo95', sa.Float(), nullable=False),
    sa.Column('hi95', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'ds', name='uq_forecast_point_run_ds')
    )
    with op.batch_alter_table('forecast_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_point_run_id'), ['run_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('forecast_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forecast_point_run_id'))

    op.drop_table('forecast_point')
    with op.batch_alter_table('backtest_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_backtest_score_run_id'))

    op.drop_table('backtest_score')
    with op.batch_alter_table('forecast_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forecast_run_series_id'))

    op.drop_table('forecast_run')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_status'))

    op.drop_table('outbox')
    op.drop_table('alert_state')
    with op.batch_alter_table('alert_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_event_series_key'))
        batch_op.drop_index(batch_op.f('ix_alert_event_rule'))
        batch_op.drop_index(batch_op.f('ix_alert_event_at'))

    op.drop_table('alert_event')

