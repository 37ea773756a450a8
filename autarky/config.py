"""One configuration object: a TOML file, then `AUTARKY_*` environment overrides (`__` nests)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from autarky.errors import ConfigError

ENV_PREFIX = "AUTARKY_"
CONFIG_ENV = "AUTARKY_CONFIG"
DEFAULT_CONFIG_PATH = Path("autarky.toml")
DEFAULT_DATABASE_URL = "sqlite:///autarky.db"
# Environment variables with the prefix that are not configuration keys.
_NOT_SETTINGS = {CONFIG_ENV, "AUTARKY_TEST_POSTGRES_URL"}


@dataclass(frozen=True)
class Config:
    """Merged settings; `section()` gives the part a component owns."""

    data: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def database_url(self) -> str:
        return str(self.data.get("database_url") or DEFAULT_DATABASE_URL)

    def section(self, *keys: str) -> dict[str, Any]:
        """The nested table at `keys` (empty when absent)."""
        node: Any = self.data
        for key in keys:
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
        if not isinstance(node, Mapping):
            raise ConfigError(f"config key {'.'.join(keys)} must be a table, got {node!r}")
        return dict(node)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the TOML file (optional unless named explicitly) and apply environment overrides."""
    environ = os.environ if environ is None else environ
    explicit = path is not None or CONFIG_ENV in environ
    file_path = Path(path or environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH)
    data: dict[str, Any] = {}
    if file_path.exists():
        try:
            data = tomllib.loads(file_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file_path}: invalid TOML: {exc}") from None
    elif explicit:
        raise ConfigError(f"config file {file_path} does not exist")
    for name, raw in environ.items():
        if name.startswith(ENV_PREFIX) and name not in _NOT_SETTINGS:
            keys = name[len(ENV_PREFIX):].lower().split("__")
            _set_nested(data, keys, _parse_env_value(raw), name)
    return Config(data=data, path=file_path if file_path.exists() else None)


def _parse_env_value(raw: str) -> Any:
    """Numbers and booleans as TOML reads them; anything else stays a string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _set_nested(data: dict[str, Any], keys: list[str], value: Any, env_name: str) -> None:
    node = data
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{env_name}: config key {key!r} is not a table")
        node = child
    node[keys[-1]] = value
