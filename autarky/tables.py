"""Every table of every stage on one metadata, for the migrations (composition layer: it imports the stages)."""

from autarky.schema import metadata
import autarky.forecast.tables  # noqa: F401  (forecast_run, forecast_point, backtest_score)
import autarky.alerts.models  # noqa: F401  (alert_state, alert_event, outbox)
import autarky.metrics.models  # noqa: F401  (index_contribution)
import autarky.scheduler_models  # noqa: F401  (scheduler lock, job store)
import autarky.collectors.models  # noqa: F401  (collector cursors)
import autarky.events.models  # noqa: F401  (policy events)

__all__ = ["metadata"]
