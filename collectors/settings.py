"""Per-source settings from `[collectors.<name>]` over each collector's defaults; secrets only from the environment."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from autarky.config import Config, describe, not_negative, positive, setting
from autarky.errors import ConfigError
from autarky.collectors.http import HttpSettings, user_agent

SECRET_KEYS = ("api_key",)
_HTTP_KEYS = {f.name for f in fields(HttpSettings)} - {"user_agent"}
# Guards set once for every source in `[collectors]`, and overridable in `[collectors.<name>]`.
SHARED_KEYS = ("deadline", "max_pages", "max_jump")


@dataclass(frozen=True)
class Defaults:
    """What a collector uses when the config says nothing."""

    base_url: str = ""
    cron: str = ""
    rate_per_minute: float = 0.0


@dataclass(frozen=True)
class CollectorSettings:
    """The merged settings of one collector."""

    name: str
    http: HttpSettings
    cron: str
    enabled: bool
    api_key: str | None
    options: Mapping[str, Any]
    origin: str = "autarky.toml"  # how errors name where an option was set (file or environment variable)
    sources: Mapping[str, str] = field(default_factory=dict)  # option -> environment variable it came from

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def _fail(self, key: str, expected: str, value: Any) -> ConfigError:
        return ConfigError(f"{self.sources.get(key, self.origin)} [collectors.{self.name}] {key}: expected "
                           f"{expected}, got {describe(value)}")

    def number_option(self, key: str, default: float) -> float:
        value = self.options.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise self._fail(key, "a number of 0 or more", value)
        return float(value)

    def int_option(self, key: str, default: int) -> int:
        value = self.options.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "a whole number", value)
        return value


@dataclass(frozen=True)
class SourceSection:
    """One `[collectors.<name>]` table: how the source is reached and when, and the collector's own options (checked
    when the collector reads them: `int_option`, `number_option`)."""

    base_url: str | None = None
    timeout: float | None = setting(None, check=not_negative)
    connect_timeout: float | None = setting(None, check=not_negative)
    retries: int | None = setting(None, check=not_negative)
    backoff: float | None = setting(None, check=not_negative)
    backoff_max: float | None = setting(None, check=not_negative)
    max_retry_after: float | None = setting(None, check=not_negative)
    deadline: float | None = setting(None, check=not_negative)
    rate_per_minute: float | None = setting(None, check=not_negative)
    cron: str | None = None
    enabled: bool = True
    api_key: str | None = None
    options: dict[str, Any] = setting(default_factory=dict, rest=True)


@dataclass(frozen=True)
class CollectorsSection:
    """The `[collectors]` table: guards shared by every source, and one `[collectors.<name>]` table per source."""

    contact: str = ""
    deadline: float | None = setting(None, check=not_negative)
    max_pages: int | None = setting(None, check=positive)
    max_jump: float | None = setting(None, check=not_negative)
    sources: dict[str, dict[str, Any]] = setting(default_factory=dict, rest=True)


def collector_settings(config: Config, name: str, defaults: Defaults) -> CollectorSettings:
    """`[collectors.<name>]` merged over the defaults, with types checked and secrets kept out of the file."""
    shared = config.read(CollectorsSection, "collectors")
    section = config.read(SourceSection, "collectors", name)
    _refuse_secrets_in_file(config, name)
    http_values: dict[str, Any] = {"base_url": defaults.base_url, "rate_per_minute": defaults.rate_per_minute}
    if shared.deadline is not None:
        http_values["deadline"] = shared.deadline
    for key in _HTTP_KEYS:
        if getattr(section, key) is not None:
            http_values[key] = getattr(section, key)
    if not http_values["base_url"] and defaults.base_url:
        raise ConfigError(f"{config.origin} [collectors.{name}] base_url: must not be empty")
    http = HttpSettings(**http_values, user_agent=user_agent(shared.contact))
    options = {**{k: getattr(shared, k) for k in SHARED_KEYS if k not in _HTTP_KEYS
                  and getattr(shared, k) is not None}, **section.options}
    sources = {}  # option -> the environment variable that set it (a source's own table over the shared one)
    for table in (("collectors",), ("collectors", name)):
        sources |= {path[-1]: f"environment variable {env}" for path, env in config.env_keys.items()
                    if path[:-1] == table}
    return CollectorSettings(name=name, http=http, cron=section.cron if section.cron is not None else defaults.cron,
                             enabled=section.enabled, api_key=section.api_key or None, options=options,
                             origin=config.origin, sources=sources)


def _refuse_secrets_in_file(config: Config, name: str) -> None:
    """API keys belong in the environment (AUTARKY_COLLECTORS__<NAME>__API_KEY), never in a file on disk."""
    if config.path is None:
        return
    try:
        on_disk = tomllib.loads(config.path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return
    section = on_disk.get("collectors", {}).get(name, {})
    for key in SECRET_KEYS:
        if isinstance(section, Mapping) and key in section:
            env = f"AUTARKY_COLLECTORS__{name.upper()}__{key.upper()}"
            raise ConfigError(f"{config.path}: [collectors.{name}] {key}: secrets are read only from the "
                              f"environment; remove it from the file and set {env}")
