"""`[collectors]` and `[collectors.<name>]` through the one config parser: errors name the file (or variable),
the table and the key."""

from __future__ import annotations

import pytest

from autarky.collectors.settings import Defaults, collector_settings
from autarky.config import load_config
from autarky.errors import ConfigError

DEFAULTS = Defaults(base_url="https://api.worldbank.org/v2", cron="0 3 * * 1", rate_per_minute=120)


def _settings(tmp_path, text, environ=None):
    path = tmp_path / "autarky.toml"
    path.write_text(text, encoding="utf-8")
    return collector_settings(load_config(path, environ=environ or {}), "worldbank", DEFAULTS)


@pytest.mark.parametrize("text, message", [
    ('[collectors.worldbank]\nenabled = "yes"\n', r"autarky.toml \[collectors.worldbank\] enabled: expected true or "
                                                  r"false, got the string 'yes'$"),
    ('[collectors.worldbank]\nretries = -1\n', r"autarky.toml \[collectors.worldbank\] retries: must be 0 or more"),
    ('[collectors]\nmax_pages = 0\n', r"autarky.toml \[collectors\] max_pages: must be above 0, got 0$"),
    ('[collectors]\ncontact = 3\n', r"autarky.toml \[collectors\] contact: expected a string, got the number 3$"),
    ('[collectors]\nworldbank = 3\n', r"autarky.toml \[collectors\] worldbank: expected a table, got the number 3$"),
])
def test_bad_collector_settings_name_the_table_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        _settings(tmp_path, text)


def test_a_collector_option_names_the_file_or_the_variable(tmp_path):
    settings = _settings(tmp_path, '[collectors.worldbank]\nper_page = "many"\n')
    with pytest.raises(ConfigError, match=r"autarky.toml \[collectors.worldbank\] per_page: expected a whole number, "
                                          r"got the string 'many'$"):
        settings.int_option("per_page", 1000)
    settings = _settings(tmp_path, "", {"AUTARKY_COLLECTORS__WORLDBANK__PER_PAGE": "many"})
    with pytest.raises(ConfigError, match=r"^environment variable AUTARKY_COLLECTORS__WORLDBANK__PER_PAGE "
                                          r"\[collectors.worldbank\] per_page: expected a whole number, got the string "
                                          r"'many'$"):
        settings.int_option("per_page", 1000)
    with pytest.raises(ConfigError, match=r"^environment variable AUTARKY_COLLECTORS__MAX_JUMP \[collectors\] "
                                          r"max_jump: expected a number, got the string 'lots'$"):
        _settings(tmp_path, "", {"AUTARKY_COLLECTORS__MAX_JUMP": "lots"})


def test_shared_guards_apply_to_every_source_and_a_source_overrides_them(tmp_path):
    settings = _settings(tmp_path, '[collectors]\ndeadline = 30\nmax_pages = 5\n[collectors.worldbank]\nmax_pages = 7\n'
                                   'per_page = 50\n')
    assert settings.http.deadline == 30.0 and settings.int_option("max_pages", 100) == 7
    assert settings.int_option("per_page", 1000) == 50 and settings.cron == "0 3 * * 1" and settings.enabled
