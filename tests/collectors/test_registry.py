"""The collector registry, the selection `autarky collect` resolves, the per-source settings, the cursors."""

from __future__ import annotations

import sys
import textwrap

import pytest

from autarky.config import load_config
from autarky.errors import ConfigError
from autarky.collectors.base import Collector, first_period
from autarky.collectors.errors import SelectionError
from autarky.collectors.registry import BUILTINS, DuplicateCollector, UnknownCollector, default_registry
from autarky.collectors.runner import resolve
from autarky.collectors.settings import Defaults, collector_settings
from autarky.collectors.state import Cursors
from autarky.periods import MONTHLY


def test_builtins_are_registered_by_name_and_reachable_by_source_code():
    registry = default_registry(include_entry_points=False)
    assert registry.names() == list(BUILTINS) == ["worldbank", "comtrade", "oecd", "census", "patentsview", "files"]
    assert {cls.source for cls in registry} == {"wb", "comtrade", "oecd", "census", "patentsview", "file"}
    assert registry.get("wb") is registry.get("worldbank")
    with pytest.raises(UnknownCollector, match="unknown source 'imf' .known: worldbank, comtrade"):
        registry.get("imf")


def test_duplicates_are_refused():
    registry = default_registry(include_entry_points=False)
    again = type("Again", (Collector,), {"name": "worldbank", "source": "wb2"})
    same_source = type("SameSource", (Collector,), {"name": "worldbank2", "source": "wb"})
    with pytest.raises(DuplicateCollector, match="name 'worldbank'"):
        registry.register(again)
    with pytest.raises(DuplicateCollector, match="serves source 'wb', already served by collector 'worldbank'"):
        registry.register(same_source)


def test_entry_point_collectors_are_loaded(tmp_path, monkeypatch):
    """A real installed distribution (dist-info on sys.path) declaring a collector under autarky.collectors."""
    (tmp_path / "imf_collector.py").write_text(textwrap.dedent("""
        from autarky.collectors.base import Collector
        class ImfCollector(Collector):
            name = "imf"
            source = "imf"
    """))
    dist = tmp_path / "autarky_imf-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: autarky-imf\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[autarky.collectors]\nimf = imf_collector:ImfCollector\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = default_registry()
    assert registry.get("imf").__name__ == "ImfCollector"
    sys.modules.pop("imf_collector", None)


def test_resolve_names_whatever_is_unknown(catalog):
    registry = default_registry(include_entry_points=False)
    with pytest.raises(SelectionError, match="unknown indicator 'NOPE.X': not in the catalog"):
        resolve(catalog, registry, ["worldbank"], ["NOPE.X"])
    with pytest.raises(SelectionError, match="unknown country 'XXX'"):
        resolve(catalog, registry, ["worldbank"], ["NY.GDP.MKTP.CD"], ["XXX"])
    with pytest.raises(SelectionError, match="indicator NY.GDP.MKTP.CD has no series for TWN"):
        resolve(catalog, registry, [], ["NY.GDP.MKTP.CD"], ["TWN"])
    with pytest.raises(SelectionError, match="indicator CT.8542.M is collected by comtrade, not by worldbank"):
        resolve(catalog, registry, ["worldbank"], ["CT.8542.M"])
    with pytest.raises(SelectionError, match="comes from source 'ncses', which no collector serves"):
        resolve(catalog, registry, [], ["NCSES.PCT.APPL"])
    with pytest.raises(SelectionError, match="unknown source 'nowhere'"):
        resolve(catalog, registry, ["nowhere"])
    with pytest.raises(SelectionError, match="--since 1800"):
        resolve(catalog, registry, ["worldbank"], since=1800)
    with pytest.raises(SelectionError, match="country TWN: no selected indicator has a series for it"):
        resolve(catalog, registry, ["census"], [], ["TWN"])


def test_resolve_picks_sources_from_indicators_and_narrows_countries(catalog):
    registry = default_registry(include_entry_points=False)
    plan = resolve(catalog, registry, [], ["NY.GDP.MKTP.CD", "CT.8542.M"], ["jpn", "USA"])
    by_name = {cls.name: selection for cls, selection in plan.items()}
    assert set(by_name) == {"worldbank", "comtrade"}
    assert by_name["worldbank"].countries == {"NY.GDP.MKTP.CD": ("USA", "JPN")}
    assert by_name["worldbank"].narrowed
    everything = resolve(catalog, registry)
    assert {cls.name for cls in everything} == set(BUILTINS)


def test_settings_merge_config_over_defaults_and_check_types(tmp_path):
    (tmp_path / "autarky.toml").write_text('[collectors.worldbank]\nbase_url = "http://mirror/v2"\ntimeout = 5\n'
                                           'retries = 2\ncron = "0 1 * * *"\nper_page = 500\n')
    config = load_config(tmp_path / "autarky.toml")
    settings = collector_settings(config, "worldbank", Defaults(base_url="https://api.worldbank.org/v2",
                                                                cron="0 3 * * 1", rate_per_minute=120))
    assert settings.http.base_url == "http://mirror/v2" and settings.http.timeout == 5.0
    assert settings.http.retries == 2 and settings.http.rate_per_minute == 120 and settings.cron == "0 1 * * *"
    assert settings.int_option("per_page", 1000) == 500
    assert settings.http.user_agent.startswith("Autarky/")
    bad = load_config(environ={"AUTARKY_COLLECTORS__WORLDBANK__TIMEOUT": '"soon"'})
    with pytest.raises(ConfigError, match=r"^environment variable AUTARKY_COLLECTORS__WORLDBANK__TIMEOUT \[collectors.worldbank\] timeout: "
                                         r"expected a number, got the string 'soon'$"):
        collector_settings(bad, "worldbank", Defaults(base_url="x"))


def test_env_overrides_the_base_url(tmp_path):
    config = load_config(environ={"AUTARKY_COLLECTORS__OECD__BASE_URL": "http://127.0.0.1:9/sdmx"})
    assert collector_settings(config, "oecd", Defaults(base_url="https://sdmx.oecd.org/public/rest")) \
        .http.base_url == "http://127.0.0.1:9/sdmx"


def test_cursors_round_trip_and_merge(store):
    cursors = Cursors(store, "wb")
    cursors.set_many({"wb:X:CHN": {"last_period": "2020-01-01"}})
    cursors.set_many({"wb:X:CHN": {"lastupdated": "2025-07-01"}, "wb:X:USA": {"last_period": "2019-01-01"}})
    assert cursors.get("wb:X:CHN") == {"last_period": "2020-01-01", "lastupdated": "2025-07-01"}
    assert set(cursors.all()) == {"wb:X:CHN", "wb:X:USA"}
    assert Cursors(store, "oecd").all() == {}


def test_first_period_uses_the_oldest_cursor_minus_the_window():
    import datetime as dt
    cursors = {"a": {"last_period": "2024-01-01"}, "b": {"last_period": "2022-01-01"}}
    start = dt.date(1960, 1, 1)
    assert first_period(cursors, ["a", "b"], frequency="A", window=5, default_start=start, since=None) \
        == dt.date(2017, 1, 1)
    assert first_period(cursors, ["a", "c"], frequency="A", window=5, default_start=start, since=None) == start
    assert first_period(cursors, ["a"], frequency="A", window=5, default_start=start, since=2010) \
        == dt.date(2010, 1, 1)
    assert MONTHLY.shift(dt.date(2024, 6, 1), -24) == dt.date(2022, 6, 1)
