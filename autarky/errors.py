"""Errors that the CLI turns into one clear line."""


class AutarkyError(Exception):
    """Base for every error a user should see as one line, without a traceback."""


class ConfigError(AutarkyError):
    """The configuration file or an environment override is wrong."""


class CatalogError(AutarkyError):
    """An indicator catalog entry is malformed."""


class MetricsError(CatalogError):
    """A derived-metric definition, its formula or the index settings are wrong."""


class BatchRejected(AutarkyError):
    """A batch of observations failed validation; nothing of it was stored."""
