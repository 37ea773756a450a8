"""Dashboard settings from the config: focus country, peers, headline indicators, policy targets, alert thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from autarky.alerts.rules import AlertsSection, Rule, load_rules
from autarky.config import Config, setting

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
    alert_rules: tuple[Mapping[str, Any], ...] = ()  # the [[alerts.rule]] tables as written, for the rules table
    rules: tuple[Rule, ...] = ()  # the same, as the alert rules' parser reads them

    def reference_lines(self, indicator: str, country: str) -> list[RefLine]:
        """Alert levels and policy targets that belong on the chart of one series."""
        lines = [RefLine(t.value, t.label, "target", t.year) for t in self.targets if t.applies(indicator, country)]
        for rule in self.rules:
            if rule.watches(indicator, country):
                lines += [RefLine(level, f"alert '{rule.name}': {what} {level:g}", "alert")
                          for what, level in rule.chart_levels]
        return lines


def _iso3(value: str) -> str:
    if len(value) == 3 and value.isalpha() and value.isupper():
        return value
    raise ValueError(f"{value!r} is not an ISO3 country code such as 'CHN'")


def _iso3s(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_iso3(v) for v in values)


def _days(value: int) -> int:
    if value <= 0:
        raise ValueError(f"must be a positive number of days, got {value!r}")
    return value


@dataclass(frozen=True)
class TargetTable:
    """One `[[dashboard.targets]]` table."""

    indicator: str
    value: float
    label: str
    year: int | None = setting(None, expected="a year such as 2030")
    countries: tuple[str, ...] = setting((), expected="a list of ISO3 country codes", check=_iso3s)
    source: str = ""


@dataclass(frozen=True)
class DashboardSection:
    """The `[dashboard]` table."""

    focus: str = setting(DEFAULT_FOCUS, expected="an ISO3 country code such as 'CHN'", check=_iso3)
    peers: tuple[str, ...] = setting(DEFAULT_PEERS, expected="a list of ISO3 country codes", check=_iso3s)
    headline: tuple[str, ...] = setting(DEFAULT_HEADLINE, expected="a list of indicator codes")
    builtin_targets: bool = True
    targets: tuple[TargetTable, ...] = ()
    cadence_days: dict[str, int] = setting(default_factory=dict, expected="a table of days by source", check=_days)


def load_settings(config: Config) -> Settings:
    """The `[dashboard]` table with defaults, and the alert rules as `load_rules` reads them; ConfigError names the
    file, the table and the key."""
    section = config.read(DashboardSection, "dashboard")
    targets = list(BUILTIN_TARGETS) if section.builtin_targets else []
    targets += [Target(t.indicator, t.value, t.year, t.label, t.countries, t.source) for t in section.targets]
    return Settings(focus=section.focus, peers=section.peers, headline=section.headline, targets=tuple(targets),
                    cadence_days={**DEFAULT_CADENCE_DAYS, **section.cadence_days},
                    alert_rules=config.read(AlertsSection, "alerts").rule, rules=tuple(load_rules(config)))
