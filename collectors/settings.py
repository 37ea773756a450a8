"""Per-source settings from `[collectors.<name>]` over each collector's defaults; secrets only from the environment."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from typing import Any, Mapping

from autarky.config import Config
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

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def number_option(self, key: str, default: float) -> float:
        value = self.options.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"[collectors.{self.name}] {key} must be a non-negative number, got {value!r}")
        return float(value)

    def int_option(self, key: str, default: int) -> int:
        value = self.options.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"[collectors.{self.name}] {key} must be a whole number, got {value!r}")
        return value


def collector_settings(config: Config, name: str, defaults: Defaults) -> CollectorSettings:
    """`[collectors.<name>]` merged over the defaults, with types checked and secrets kept out of the file."""
    shared = config.section("collectors")
    section = {**{k: shared[k] for k in SHARED_KEYS if k in shared}, **config.section("collectors", name)}
    _refuse_secrets_in_file(config, name)
    http_values: dict[str, Any] = {"base_url": defaults.base_url, "rate_per_minute": defaults.rate_per_minute}
    for key in _HTTP_KEYS:
        if key in section:
            http_values[key] = _typed(name, key, section[key], str if key == "base_url" else float)
    if "retries" in http_values:
        http_values["retries"] = int(http_values["retries"])
    if not http_values["base_url"] and defaults.base_url:
        raise ConfigError(f"[collectors.{name}] base_url must not be empty")
    contact = str(shared.get("contact", "") or "")
    http = HttpSettings(**http_values, user_agent=user_agent(contact))
    cron = _typed(name, "cron", section.get("cron", defaults.cron), str)
    enabled = section.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"[collectors.{name}] enabled must be true or false, got {enabled!r}")
    api_key = section.get("api_key")
    known = _HTTP_KEYS | {"cron", "enabled", "api_key"}
    options = {k: v for k, v in section.items() if k not in known}
    return CollectorSettings(name=name, http=http, cron=cron, enabled=enabled,
                             api_key=str(api_key) if api_key not in (None, "") else None, options=options)


def _typed(name: str, key: str, value: Any, kind: type) -> Any:
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"[collectors.{name}] {key} must be a non-negative number, got {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise ConfigError(f"[collectors.{name}] {key} must be a string, got {value!r}")
    return value


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
