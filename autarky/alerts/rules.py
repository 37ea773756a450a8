"""Alert rules: the `[[alerts.rule]]` tables of the config, checked field by field before anything runs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from autarky.alerts.kinds import KINDS, Kind
from autarky.catalog import WORLD, parse_series_key
from autarky.config import Config, setting
from autarky.errors import CatalogError, ConfigError

SEVERITIES = ("info", "warning", "critical")
DEFAULT_SEVERITY = "warning"
DEFAULT_REPEAT_AFTER = dt.timedelta(days=7)
DEFAULT_REPEAT_MAX = dt.timedelta(days=90)
MAX_HOLD = 100
_COMMON = frozenset({"name", "description", "kind", "severity", "recipients", "hold", "repeat_after", "repeat_max",
                     "notify_resolved", "enabled"})
_TARGET = frozenset({"series", "indicator", "countries", "partners"})
# Names are free text on one line (they appear in subjects, escaped in HTML); at most 100 characters.
_NAME = re.compile(r"^[^\x00-\x1f\x7f\s][^\x00-\x1f\x7f]{0,99}$")
_EMAIL = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_NEVER = ("never", "off", "")
_MISSING = object()


@dataclass(frozen=True)
class Rule:
    """One validated rule: what it watches, its kind's parameters, and how its notices go out."""

    name: str
    kind: str
    params: Any
    series: tuple[str, ...] = ()
    indicator: str | None = None
    countries: tuple[str, ...] = ()
    partners: tuple[str, ...] = (WORLD,)  # with `indicator`: the partners watched (WLD = the World series)
    description: str = ""
    severity: str = DEFAULT_SEVERITY
    recipients: tuple[str, ...] = ()
    hold: int = 1
    repeat_after: dt.timedelta | None = DEFAULT_REPEAT_AFTER
    repeat_max: dt.timedelta = DEFAULT_REPEAT_MAX
    notify_resolved: bool = True
    enabled: bool = True

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]

    @property
    def condition(self) -> str:
        return self.params.describe()

    @property
    def chart_levels(self) -> tuple[tuple[str, float], ...]:
        """(what, level) of the kind worth drawing on a chart of a watched series (threshold, crossing level)."""
        levels = getattr(self.params, "chart_levels", None)
        return levels() if levels is not None else ()

    def watches(self, indicator: str, country: str) -> bool:
        """Whether the rule watches the World series of this indicator and reporter (by key, or by indicator)."""
        if self.series:
            return any(key.split(":")[1:] == [indicator, country] for key in self.series)
        return self.indicator == indicator and (not self.countries or country in self.countries)

    @property
    def target(self) -> str:
        """What the rule watches, in words."""
        if self.spec.on_source:
            return f"collector {self.params.source}"
        if self.series:
            return ", ".join(self.series)
        with_partners = "" if self.partners == (WORLD,) else f" with {', '.join(self.partners)}"
        return f"{self.indicator} for {', '.join(self.countries) if self.countries else 'every country'}{with_partners}"


class RuleTable:
    """One `[[alerts.rule]]` table being read: typed getters whose errors name the rule and the field."""

    def __init__(self, table: Mapping[str, Any], label: str):
        self.table, self.label = table, label

    def fail(self, name: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.label}: field '{name}': {problem}")

    def _get(self, name: str, default: Any) -> Any:
        if name in self.table:
            return self.table[name]
        if default is _MISSING:
            raise self.fail(name, "required")
        return default

    def number(self, name: str, default: Any = _MISSING, *, minimum: float | None = None,
               maximum: float | None = None, exclusive: bool = False) -> Any:
        value = self._get(name, default)
        if value is None or name not in self.table:
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise self.fail(name, f"must be a number, got {value!r}")
        if minimum is not None and (value <= minimum if exclusive else value < minimum):
            raise self.fail(name, f"must be {'above' if exclusive else 'at least'} {minimum}, got {value!r}")
        if maximum is not None and value > maximum:
            raise self.fail(name, f"must be at most {maximum}, got {value!r}")
        return float(value)

    def integer(self, name: str, default: Any = _MISSING, *, minimum: int | None = None) -> Any:
        value = self._get(name, default)
        if value is None or name not in self.table:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"must be a whole number, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.fail(name, f"must be at least {minimum}, got {value!r}")
        return value

    def string(self, name: str, default: Any = _MISSING) -> Any:
        value = self._get(name, default)
        if name in self.table and (not isinstance(value, str) or not value.strip()):
            raise self.fail(name, f"must be a non-empty string, got {value!r}")
        return value

    def choice(self, name: str, choices: Sequence[str], default: Any = _MISSING) -> Any:
        value = self._get(name, default)
        if value not in choices:
            raise self.fail(name, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise self.fail(name, f"must be true or false, got {value!r}")
        return value

    def strings(self, name: str, default: Any = _MISSING) -> tuple[str, ...]:
        value = self._get(name, default)
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) and i.strip() for i in items):
            raise self.fail(name, f"must be a string or a list of strings, got {value!r}")
        return tuple(i.strip() for i in items)

    def date(self, name: str) -> dt.date:
        """A TOML date, 'YYYY-MM-DD', or a year (meaning the end of that year)."""
        value = self._get(name, _MISSING)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
            return dt.date(value, 12, 31)
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(name, f"must be a date (2030-12-31) or a year (2030), got {value!r}")

    def duration(self, name: str, default: Any) -> dt.timedelta | None:
        """'7d', '12h', '30m', '2w'; 'never' (or false) for none."""
        value = self._get(name, default)
        try:
            return duration(value)
        except ValueError as exc:
            raise self.fail(name, str(exc)) from None


def duration(value: Any) -> dt.timedelta | None:
    """'7d', '12h', '30m', '2w' as a timedelta; 'never' (or false) for none; ValueError naming the forms otherwise."""
    if value is None or isinstance(value, dt.timedelta):
        return value
    if value is False or (isinstance(value, str) and value.strip().lower() in _NEVER):
        return None
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match or float(match[1]) <= 0:
        raise ValueError(f"must be a duration such as '12h', '7d' or '2w', or 'never', got {value!r}")
    return dt.timedelta(**{_UNITS[match[2]]: float(match[1])})


def _addresses(value: str | tuple[str, ...]) -> tuple[str, ...]:
    addresses = tuple(a.strip() for a in ((value,) if isinstance(value, str) else value))
    for address in addresses:
        if not is_email(address):
            raise ValueError(f"{address!r} is not an email address")
    return addresses


_DURATION_WORDS = "a duration such as '12h', '7d' or '2w', or 'never'"


@dataclass(frozen=True)
class AlertsSection:
    """The `[alerts]` table: defaults for every rule, and the `[[alerts.rule]]` tables (each read by `parse_rule`)."""

    recipients: str | tuple[str, ...] = setting((), expected="an email address or a list of them", check=_addresses)
    repeat_after: str | bool = setting(DEFAULT_REPEAT_AFTER, expected=_DURATION_WORDS, check=duration)
    repeat_max: str | bool = setting(DEFAULT_REPEAT_MAX, expected=_DURATION_WORDS, check=duration)
    notify_resolved: bool = True
    rule: tuple[dict[str, Any], ...] = setting((), expected="an array of tables ([[alerts.rule]])")


def load_rules(config: Config) -> list[Rule]:
    """Every `[[alerts.rule]]` of the config, validated; a bad one fails naming the rule and the field."""
    section = config.read(AlertsSection, "alerts")
    origin = config.origin
    shared = dict(recipients=section.recipients, repeat_after=section.repeat_after,
                  repeat_max=section.repeat_max or DEFAULT_REPEAT_MAX, notify_resolved=section.notify_resolved)
    rules, seen = [], set()
    for number, table in enumerate(section.rule, start=1):
        rule = parse_rule(table, f"{origin}: alert rule #{number}", shared)
        if rule.name in seen:
            raise ConfigError(f"{origin}: alert rule #{number} ({rule.name}): field 'name': duplicate of an earlier "
                              "rule")
        seen.add(rule.name)
        rules.append(rule)
    return rules


def parse_rule(table: Any, label: str, shared: Mapping[str, Any] | None = None) -> Rule:
    """One rule table to a Rule; `shared` holds the [alerts] defaults for recipients, repeats and resolved notices."""
    shared = shared or {}
    if not isinstance(table, Mapping):
        raise ConfigError(f"{label}: must be a table")
    t = RuleTable(table, label)
    name = t.string("name")
    if not _NAME.match(name):
        raise t.fail("name", f"must be one line of at most 100 characters, got {name!r}")
    t.label = f"{label} ({name})"
    kind = t.choice("kind", tuple(KINDS))
    spec = KINDS[kind]
    allowed = _COMMON | spec.fields | (frozenset() if spec.on_source else _TARGET)
    unknown = sorted(set(table) - allowed)
    if unknown:
        hint = "; a staleness rule watches a collector, not series" if spec.on_source and unknown[0] in _TARGET \
            else f" for kind {kind} (allowed: {', '.join(sorted(allowed))})"
        raise t.fail(unknown[0], f"unknown field{hint}")
    series, indicator, countries, partners = _target(t, spec)
    lasting = spec.lasting
    return Rule(
        name=name, kind=kind, params=spec.parse(t), series=series, indicator=indicator, countries=countries,
        partners=partners,
        description=str(t.string("description", "")).strip(),
        severity=t.choice("severity", SEVERITIES, DEFAULT_SEVERITY),
        recipients=_recipients(t, "recipients", shared.get("recipients", ())),
        hold=_hold(t),
        # Event kinds (change, outside band, revision) report each input once: no reminders, no "resolved" by default.
        repeat_after=t.duration("repeat_after", shared.get("repeat_after", DEFAULT_REPEAT_AFTER) if lasting else None),
        repeat_max=t.duration("repeat_max", shared.get("repeat_max", DEFAULT_REPEAT_MAX)) or DEFAULT_REPEAT_MAX,
        notify_resolved=t.boolean("notify_resolved", shared.get("notify_resolved", True) if lasting else False),
        enabled=t.boolean("enabled", True),
    )


def _target(t: RuleTable, spec: Kind) -> tuple[tuple[str, ...], str | None, tuple[str, ...], tuple[str, ...]]:
    """(series keys, indicator, countries, partners); keys may be bilateral (source:IND:REPORTER:PARTNER)."""
    if spec.on_source:
        return (), None, (), ()
    has_series, has_indicator = "series" in t.table, "indicator" in t.table
    if has_series == has_indicator:
        raise t.fail("series", "give either 'series' (keys such as wb:IP.PAT.RESD:CHN) or 'indicator' "
                               "(with optional 'countries')")
    if has_series:
        for name in ("countries", "partners"):
            if name in t.table:
                raise t.fail(name, "goes with 'indicator', not with 'series'")
        keys = t.strings("series")
        for key in keys:
            try:
                parse_series_key(key)
            except CatalogError as exc:
                raise t.fail("series", str(exc)) from None
        return keys, None, (), ()
    indicator = t.string("indicator")
    if ":" in indicator:
        raise t.fail("indicator", f"is an indicator code such as IP.PAT.RESD; for a series key use 'series', "
                                  f"got {indicator!r}")
    codes = {}
    for name, default in (("countries", ()), ("partners", (WORLD,))):
        codes[name] = t.strings(name, default) if name in t.table else default
        bad = [c for c in codes[name] if not _ISO3.match(c)]
        if bad:
            raise t.fail(name, f"must be ISO3 codes such as 'CHN' (WLD for the World), got {bad[0]!r}")
    return (), indicator, codes["countries"], codes["partners"]


def is_email(address: str) -> bool:
    """A plain address (no display name, no header-breaking characters)."""
    return bool(_EMAIL.match(address))


def _recipients(t: RuleTable, name: str, default: Sequence[str]) -> tuple[str, ...]:
    recipients = t.strings(name, tuple(default)) if name in t.table else tuple(default)
    try:
        return _addresses(recipients)
    except ValueError as exc:
        raise t.fail(name, str(exc)) from None


def _hold(t: RuleTable) -> int:
    hold = t.integer("hold", 1, minimum=1)
    if hold > MAX_HOLD:
        raise t.fail("hold", f"must be at most {MAX_HOLD}, got {hold}")
    return hold
