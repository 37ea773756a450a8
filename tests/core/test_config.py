"""Config: TOML file, then AUTARKY_* environment overrides with __ nesting."""

from __future__ import annotations

import pytest

from autarky.config import DEFAULT_DATABASE_URL, load_config
from autarky.errors import ConfigError


def test_defaults_without_file(tmp_path):
    config = load_config(environ={})
    assert config.database_url == DEFAULT_DATABASE_URL
    assert config.path is None


def test_file_then_environment_overrides(tmp_path):
    path = tmp_path / "autarky.toml"
    path.write_text('database_url = "sqlite:///file.db"\n[collectors.comtrade]\nrate_per_minute = 10\n')
    env = {"AUTARKY_CONFIG": str(path), "AUTARKY_DATABASE_URL": "postgresql+psycopg://db/x",
           "AUTARKY_COLLECTORS__COMTRADE__API_KEY": "secret", "AUTARKY_COLLECTORS__COMTRADE__RATE_PER_MINUTE": "5",
           "AUTARKY_SMTP_STARTTLS": "true", "OTHER": "ignored"}
    config = load_config(environ=env)
    assert config.database_url == "postgresql+psycopg://db/x"
    assert config.section("collectors", "comtrade") == {"rate_per_minute": 5, "api_key": "secret"}
    assert config.get("smtp_starttls") is True
    assert config.section("missing", "table") == {}


def test_named_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", environ={})


def test_invalid_toml_names_file(tmp_path):
    path = tmp_path / "autarky.toml"
    path.write_text("database_url = \n")
    with pytest.raises(ConfigError, match="autarky.toml: invalid TOML"):
        load_config(path, environ={})
