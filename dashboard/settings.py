"""Dashboard settings from the config: focus country, peers, headline indicators, policy targets, alert thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from autarky.config import Config
from autarky.errors import ConfigError

DEFAULT_FOCUS = "CHN"
DEFAULT_PEERS = ("USA", "JPN", "KOR", "DEU", "TWN")
# Headline cards on the overview, in order; codes without data for the focus country are left out (the derived
# ratios appear once the metrics stage has computed them, chip trade coverage once Comtrade data is collected).
DEFAULT_HEADLINE = ("SR.PAT.RESD.SHARE", "SR.TRADE.COVER.8542", "SR.TRADE.COVER.8486", "SR.ROYL.COVER",
                    "GB.XPD.RSDV.GD.ZS", "IP.PAT.RESD", "NCSES.USPTO.SEMI", "TX.VAL.TECH.MF.ZS", "NCSES.PCT.APPL",
                    "BM.GSR.ROYL.CD")
MAX_HEADLINE_CARDS = 8
# Expected days between collections per source (the scheduler's default cadence); freshness is judged against it.
DEFAULT_CADENCE_DAYS = {"wb": 7, "comtrade": 31, "oecd": 31, "census": 31, "ncses": 365}
# Aggregates that are not ranked against countries.
AGGREGATES = frozenset({"WLD", "EUU"})
# Alert rule fields that hold a level worth drawing on a chart.
_LEVEL_FIELDS = ("above", "below", "threshold", "level", "value")


@dataclass(frozen=True)
class Target:
    """A policy target: a level in the indicator's own unit, by a year, for some countries (all when empty)."""

    indicator: str
    value: float
    year: int | None
    label: str
    countries: tuple[str, ...] = ()
    source: str = ""

    def applies(self, indicator: str, country: str) -> bool:
        return self.indicator == indicator and (not self.countries or country in self.countries)


# Real, published targets. The chip target applies to a self-sufficiency series the user loads with the file
# collector (the example config names it CHIP.SELF.SUFF, as a share 0-1).
BUILTIN_TARGETS = (
    Target("CHIP.SELF.SUFF", 0.70, 2025, "Made in China 2025: 70% IC self-sufficiency by 2025", ("CHN",),
           "State Council, Made in China 2025 (2015) and its key-area technology roadmap"),
    Target("GB.XPD.RSDV.GD.ZS", 2.5, 2020, "China's S&T plan 2006-2020: R&D at 2.5% of GDP by 2020", ("CHN",),
           "State Council, National Medium- and Long-Term Program for S&T Development (2006-2020)"),
)


@dataclass(frozen=True)
class RefLine:
    """A horizontal line on a chart: an alert level or a policy target."""

    value: float
    label: str
    kind: str  # alert | target
    year: int | None = None


@dataclass(frozen=True)
class Settings:
    focus: str = DEFAULT_FOCUS
    peers: tuple[str, ...] = DEFAULT_PEERS
    headline: tuple[str, ...] = DEFAULT_HEADLINE
    targets: tuple[Target, ...] = BUILTIN_TARGETS
    cadence_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_CADENCE_DAYS))
    alert_rules: tuple[Mapping[str, Any], ...] = ()

    def reference_lines(self, indicator: str, country: str) -> list[RefLine]:
        """Alert levels and policy targets that belong on the chart of one series."""
        lines = [RefLine(t.value, t.label, "target", t.year) for t in self.targets if t.applies(indicator, country)]
        for rule in self.alert_rules:
            if not rule_matches(rule, indicator, country):
                continue
            for name in _LEVEL_FIELDS:
                value = rule.get(name)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    lines.append(RefLine(float(value), f"alert '{rule.get('name', '?')}': {name} {value:g}",
                                         "alert"))
        return lines


def rule_matches(rule: Mapping[str, Any], indicator: str, country: str) -> bool:
    """Whether an `[[alerts.rule]]` watches this series (by `series` key(s), or `indicator` and `countries`)."""
    series = rule.get("series")
    if series:
        keys = [series] if isinstance(series, str) else list(series)
        return any(k.split(":")[1:3] == [indicator, country] for k in keys if isinstance(k, str) and k.count(":") == 2)
    if rule.get("indicator") != indicator:
        return False
    countries = rule.get("countries") or rule.get("country") or ()
    countries = [countries] if isinstance(countries, str) else list(countries)
    return not countries or country in countries


def load_settings(config: Config) -> Settings:
    """The `[dashboard]` table (and the `[[alerts.rule]]` list) of the config, with defaults; ConfigError names the key."""
    section = config.section("dashboard")
    focus = _iso3(section.get("focus", DEFAULT_FOCUS), "dashboard.focus")
    peers = tuple(_iso3(c, "dashboard.peers") for c in _list(section.get("peers", DEFAULT_PEERS), "dashboard.peers"))
    headline = tuple(str(c) for c in _list(section.get("headline", DEFAULT_HEADLINE), "dashboard.headline"))
    targets = list(BUILTIN_TARGETS) if section.get("builtin_targets", True) else []
    for number, entry in enumerate(_list(section.get("targets", []), "dashboard.targets"), start=1):
        targets.append(_target(entry, f"dashboard.targets #{number}"))
    cadence = dict(DEFAULT_CADENCE_DAYS)
    for source, days in dict(section.get("cadence_days", {})).items():
        if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            raise ConfigError(f"dashboard.cadence_days.{source}: must be a positive number of days, got {days!r}")
        cadence[source] = days
    rules = config.section("alerts").get("rule", [])
    rules = tuple(r for r in _list(rules, "alerts.rule") if isinstance(r, Mapping))
    return Settings(focus=focus, peers=peers, headline=headline, targets=tuple(targets), cadence_days=cadence,
                    alert_rules=rules)


def _target(entry: Any, where: str) -> Target:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: must be a table with indicator, value, label (and year, countries, source)")
    for name in ("indicator", "value", "label"):
        if name not in entry:
            raise ConfigError(f"{where}: field '{name}': required")
    value, year = entry["value"], entry.get("year")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: field 'value': must be a number, got {value!r}")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise ConfigError(f"{where}: field 'year': must be a year such as 2030, got {year!r}")
    countries = tuple(_iso3(c, f"{where}: field 'countries'") for c in _list(entry.get("countries", []), where))
    return Target(str(entry["indicator"]), float(value), year, str(entry["label"]), countries,
                  str(entry.get("source", "")))


def _list(value: Any, where: str) -> list:
    if isinstance(value, (list, tuple)):
        return list(value)
    raise ConfigError(f"{where}: must be a list, got {value!r}")


def _iso3(value: Any, where: str) -> str:
    if isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper():
        return value
    raise ConfigError(f"{where}: {value!r} is not an ISO3 country code such as 'CHN'")
