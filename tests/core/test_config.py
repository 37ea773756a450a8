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


# ---------------------------------------------------------------------------- section specs (one parser)
import dataclasses  # noqa: E402

from autarky.app import App, checked_config  # noqa: E402
from autarky.config import Config, PerFrequency, positive, read_section, setting  # noqa: E402


@dataclasses.dataclass(frozen=True)
class _Item:
    name: str
    weight: float = 1.0


@dataclasses.dataclass(frozen=True)
class _Section:
    count: int = setting(3, check=positive)
    ratio: float = 0.5
    on: bool = True
    mode: str = "fast"
    names: tuple[str, ...] = setting(("a",), expected="a list of names")
    horizon: PerFrequency[int] = setting(default_factory=PerFrequency, check=positive)
    items: tuple[_Item, ...] = ()
    days: dict[str, int] = setting(default_factory=dict, check=positive)


def _write(tmp_path, text):
    path = tmp_path / "autarky.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_section_reads_typed_values_and_keeps_defaults(tmp_path):
    path = _write(tmp_path, '[sec]\ncount = 4\nratio = 1\nnames = ["x", "y"]\n[sec.horizon]\nmonthly = 24\n'
                            '[sec.days]\nwb = 7\n[[sec.items]]\nname = "first"\n')
    section = load_config(path, environ={}).read(_Section, "sec")
    assert (section.count, section.ratio, section.on, section.names) == (4, 1.0, True, ("x", "y"))
    assert section.horizon.get("M", 6) == 24 and section.horizon.get("A", 6) == 6
    assert section.items == (_Item("first"),) and section.days == {"wb": 7}
    assert Config().read(_Section, "sec") == _Section()


@pytest.mark.parametrize("text, message", [
    ('[sec]\nnames = "x"\n', r"autarky.toml \[sec\] names: expected a list of names, got the string 'x'$"),
    ('[sec]\ncount = "3"\n', r"autarky.toml \[sec\] count: expected a whole number, got the string '3'$"),
    ('[sec]\ncount = 0\n', r"autarky.toml \[sec\] count: must be above 0, got 0$"),
    ('[sec]\non = 1\n', r"autarky.toml \[sec\] on: expected true or false, got the number 1$"),
    ('[sec]\nratio = true\n', r"autarky.toml \[sec\] ratio: expected a number, got true$"),
    ('[sec]\ncuont = 3\n', r"autarky.toml \[sec\] cuont: unknown key; did you mean 'count'\? \(known: count, days,"),
    ('[sec.horizon]\nmontly = 3\n', r"autarky.toml \[sec.horizon\] montly: unknown key; did you mean 'monthly'\?"),
    ('[sec.horizon]\nmonthly = -1\n', r"autarky.toml \[sec.horizon\] monthly: must be above 0, got -1$"),
    ('[sec.days]\nwb = 0\n', r"autarky.toml \[sec.days\] wb: must be above 0, got 0$"),
    ('[[sec.items]]\nweight = 2\n', r"autarky.toml \[sec.items #1\] name: required$"),
    ('[[sec.items]]\nname = "a"\n[[sec.items]]\nname = "b"\nweight = "heavy"\n',
     r"autarky.toml \[sec.items #2\] weight: expected a number, got the string 'heavy'$"),
    ('sec = 3\n', r"autarky.toml sec: expected a table, got the number 3$"),
])
def test_errors_name_the_file_the_table_the_key_and_what_was_expected(tmp_path, text, message):
    config = load_config(_write(tmp_path, text), environ={})
    with pytest.raises(ConfigError, match=message.replace("autarky.toml", str(tmp_path / "autarky.toml"))):
        config.read(_Section, "sec")


def test_an_error_names_the_environment_variable_that_set_the_value(tmp_path):
    path = _write(tmp_path, '[sec]\ncount = 2\n')
    config = load_config(path, environ={"AUTARKY_SEC__NAMES": "x"})
    with pytest.raises(ConfigError, match=r"^environment variable AUTARKY_SEC__NAMES \[sec\] names: expected a list "
                                          r"of names, got the string 'x'$"):
        config.read(_Section, "sec")
    assert load_config(path, environ={"AUTARKY_SEC__NAMES": '["x"]'}).read(_Section, "sec").names == ("x",)
    with pytest.raises(ConfigError, match=r"^environment variable AUTARKY_SEC__HORIZON__ANUAL \[sec.horizon\] anual: "
                                          r"unknown key; did you mean 'annual'"):
        load_config(path, environ={"AUTARKY_SEC__HORIZON__ANUAL": "3"}).read(_Section, "sec")


def test_a_mapping_is_read_with_the_same_rules():
    assert read_section(_Section, {"count": 9}, "sec").count == 9
    with pytest.raises(ConfigError, match=r"^here \[sec\] count: expected a whole number, got the number 1.5$"):
        read_section(_Section, {"count": 1.5}, "sec", origin="here")


def test_a_misspelt_table_at_the_top_level_names_the_close_one(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[forcast]\nsamples = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml forcast: unknown key; did you mean 'forecast'\?"):
        App(config_path=str(path)).config
    # Top-level keys set from the environment (read by their users, e.g. AUTARKY_SMTP_HOST) pass.
    assert checked_config(load_config(environ={"AUTARKY_SMTP_HOST": "mail"})).get("smtp_host") == "mail"


def test_scheduler_and_snapshot_sections_use_the_same_parser(tmp_path):
    from autarky.scheduler import SchedulerSettings
    from autarky.snapshot import excluded_parts

    path = _write(tmp_path, '[scheduler]\nheartbeat_seconds = "often"\n[snapshot]\nexclude = "cset"\n')
    app = App(config_path=str(path))
    with pytest.raises(ConfigError, match=r"autarky.toml \[scheduler\] heartbeat_seconds: expected a number, got the "
                                          r"string 'often'$"):
        SchedulerSettings.from_config(app)
    with pytest.raises(ConfigError, match=r"autarky.toml \[snapshot\] exclude: expected a list of part names, got "
                                          r"the string 'cset'$"):
        excluded_parts(app.config)
    with pytest.raises(ConfigError, match=r"autarky.toml \[scheduler\] heartbeat: unknown key; did you mean "
                                          r"'heartbeat_seconds'\?"):
        SchedulerSettings.from_config(App(config_path=str(_write(tmp_path, '[scheduler]\nheartbeat = 5\n'))))
