"""Every table of every stage on one metadata, for the migrations (composition layer: it imports the stages)."""

from autarky.schema import metadata
import autarky.metrics.models  # noqa: F401  (index_contribution)
import autarky.scheduler_models  # noqa: F401  (scheduler lock, job store)
import autarky.collectors.models  # noqa: F401  (collector cursors)
import autarky.events.models  # noqa: F401  (policy events)

__all__ = ["metadata"]
