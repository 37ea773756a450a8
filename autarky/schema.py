"""All tables of every stage, gathered for migrations: each stage's models module is imported here."""

from autarky.models import Base
import autarky.metrics.models  # noqa: F401 - index_contribution

metadata = Base.metadata
import autarky.scheduler_models  # noqa: E402,F401  (scheduler lock, job store)
import autarky.collectors.models  # noqa: E402,F401  (collector cursors)
import autarky.events.models  # noqa: E402,F401  (policy events)
