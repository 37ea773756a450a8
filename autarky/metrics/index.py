"""The composite Self-Reliance Index: settings, and the pure computation of scores, weights and contributions.

Each component is (optionally) log-transformed, normalised on a fixed base period across the index economies,
turned by its catalog direction so higher always means more self-reliant, and weighted. A country-year needs at
least `min_components` components observed in that year; a component not yet published for the year takes its
latest value from up to `carry_forward` years before; the weights of the components present are re-scaled to sum
to one. With `pillars` (dependence, capacity) each pillar is also its own series (`SR.INDEX.<X>`), weights are
re-scaled within each pillar, and an index value needs every pillar's own `min_components`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from autarky.catalog import Catalog, Indicator, parse_indicator, series_key
from autarky.errors import CatalogError, MetricsError
from autarky.metrics.formula import Missing

INDEX_CODE = "SR.INDEX"  # a contract with the other stages: the index is derived:SR.INDEX:<ISO3>
NORMALISATIONS = ("minmax", "zscore")
MINMAX_SCALE = 100.0  # min-max scores run 0-100 over the base period's range
INDEX_SOURCE = "derived"
TOO_FEW_COMPONENTS = "too few components"
_KEYS = ("name", "components", "weights", "log", "normalisation", "base_period", "min_components",
         "carry_forward", "exclude", "pillars")
_PILLAR_KEYS = ("code", "name", "components", "min_components")


@dataclass(frozen=True)
class Pillar:
    """A group of components scored on its own (series `code`) and weighing equally in the combined index."""

    name: str
    code: str
    components: tuple[str, ...]
    min_components: int


@dataclass(frozen=True)
class IndexSpec:
    """What the index is made of and how; `indicator` is its catalog entry."""

    components: tuple[str, ...]
    weights: Mapping[str, float]
    log: frozenset[str]
    normalisation: str
    base_period: tuple[int, int]
    min_components: int
    carry_forward: int
    exclude: frozenset[str]
    directions: Mapping[str, int]
    sources: Mapping[str, str]
    indicator: Indicator
    pillars: tuple[Pillar, ...] = ()  # empty: one undivided index; else each pillar is re-weighted on its own
    pillar_specs: tuple["IndexSpec", ...] = ()  # one single-pillar spec per pillar, its own series

    @property
    def code(self) -> str:
        return self.indicator.code

    def key(self, country: str) -> str:
        return series_key(INDEX_SOURCE, self.code, country)

    def component_key(self, component: str, country: str) -> str:
        return series_key(self.sources[component], component, country)

    def input_keys(self, country: str, available: Mapping[str, Indicator]) -> list[str]:
        return [self.component_key(c, country) for c in self.components if country in available[c].countries]


def describe(components: tuple[str, ...], weights: Mapping[str, float], log: frozenset[str], normalisation: str,
             base_period: tuple[int, int], min_components: int, carry_forward: int, economies: int) -> str:
    """The method in one line, stored as the index series' formula and shown wherever the index is."""
    total = sum(weights.values())
    parts = ", ".join(f"{'ln ' if c in log else ''}{c} (w={weights[c] / total:.3g})" for c in components)
    scale = ("min-max scores 0-100" if normalisation == "minmax" else "z-scores")
    return (f"weighted mean of {scale} on base period {base_period[0]}-{base_period[1]} across {economies} "
            f"economies, turned so higher = more self-reliant, of: {parts}; needs at least {min_components} "
            f"of {len(components)} components observed in the year, others carried forward up to {carry_forward} "
            "years, weights re-scaled over those present")


def parse_index(defaults: Mapping[str, Any], overrides: Mapping[str, Any], known: Mapping[str, Indicator],
                catalog: Catalog, defaults_origin: str, overrides_origin: str) -> IndexSpec:
    """Index settings: the metrics file's [index], each key replaceable in config [metrics.index]."""
    if not isinstance(overrides, Mapping):
        raise MetricsError(f"{overrides_origin}: [metrics.index] must be a table")
    for origin, table in ((defaults_origin, defaults), (overrides_origin, overrides)):
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise MetricsError(f"{origin}: [metrics.index] {unknown[0]}: unknown key (known: {', '.join(_KEYS)})")
    settings = {**defaults, **overrides}

    def fail(name: str, problem: str) -> MetricsError:
        origin = overrides_origin if name in overrides else defaults_origin
        return MetricsError(f"{origin}: [metrics.index] {name}: {problem}")

    # config naming its own components without pillars gets one undivided index
    dropped = "components" in overrides and "pillars" not in overrides
    pillars = _parse_pillars({} if dropped else settings.get("pillars", {}), fail)
    if pillars and "components" not in overrides:
        settings["components"] = [c for p in pillars for c in p.components]
    components = settings.get("components")
    if not isinstance(components, list) or not components or not all(isinstance(c, str) for c in components):
        raise fail("components", f"must be a non-empty list of indicator codes, got {components!r}")
    for code in components:
        if code not in known:
            raise fail("components", f"unknown indicator {code!r}: not a catalog indicator or derived metric")
        if known[code].direction == 0:
            raise fail("components", f"{code} has direction 0 (context only) and cannot be scored")
        if known[code].frequency != "A":
            raise fail("components", f"{code} is not annual (frequency {known[code].frequency})")
    if len(set(components)) != len(components):
        raise fail("components", "lists a component twice")
    weights = settings.get("weights", {})
    if not isinstance(weights, Mapping):
        raise fail("weights", f"must be a table of component = weight, got {weights!r}")
    for code, weight in weights.items():
        if code not in components:
            raise fail("weights", f"{code!r} is not a component")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight > 0:
            raise fail("weights", f"{code}: must be a positive number, got {weight!r}")
    log = settings.get("log", [])
    if "log" not in overrides and isinstance(log, list):
        log = [c for c in log if c in components]  # the file's default applies to the components it still names
    if not isinstance(log, list) or any(c not in components for c in log):
        raise fail("log", f"must be a list of components, got {log!r}")
    normalisation = settings.get("normalisation", "minmax")
    if normalisation not in NORMALISATIONS:
        raise fail("normalisation", f"must be one of {', '.join(NORMALISATIONS)}, got {normalisation!r}")
    base = settings.get("base_period")
    if isinstance(base, int) and not isinstance(base, bool):
        base = [base, base]
    if (not isinstance(base, list) or len(base) != 2 or not all(isinstance(y, int) for y in base)
            or base[0] > base[1]):
        raise fail("base_period", f"must be a year or [first, last] years, got {settings.get('base_period')!r}")
    k = settings.get("min_components", len(components))
    if "min_components" not in overrides and isinstance(k, int):
        k = min(k, len(components))  # the file's default never asks for more components than config lists
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(components):
        raise fail("min_components", f"must be a whole number from 1 to {len(components)}, got {k!r}")
    carry = settings.get("carry_forward", 0)
    if isinstance(carry, bool) or not isinstance(carry, int) or carry < 0:
        raise fail("carry_forward", f"must be a whole number of years, 0 or more, got {carry!r}")
    exclude = settings.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(c, str) for c in exclude):
        raise fail("exclude", f"must be a list of ISO3 codes, got {exclude!r}")
    for pillar in pillars:
        if any(c not in components for c in pillar.components):
            raise fail("pillars", f"{pillar.code}: names components that are not in `components`")
    # With pillars a component not weighted weighs 1/(its pillar's size): each pillar weighs the same.
    size = {c: len(p.components) for p in pillars for c in p.components}
    full_weights = {c: float(weights.get(c, 1.0 / size.get(c, 1))) for c in components}
    countries = [c for c in catalog.countries
                 if c not in exclude and any(c in known[code].countries for code in components)]
    method = describe(tuple(components), full_weights, frozenset(log), normalisation, (base[0], base[1]), k,
                      carry, len(countries))
    if pillars:
        method = method.replace("weights re-scaled over those present", "weights re-scaled within each pillar "
                                "over those present; pillars " + ", ".join(f"{p.name} ({p.code})" for p in pillars)
                                + " weigh the same")
    entry = {"code": INDEX_CODE, "name": settings.get("name", "Self-Reliance Index"),
             "category": "composite", "source": INDEX_SOURCE, "frequency": "A", "direction": 1,
             "unit": "score (0-100)" if normalisation == "minmax" else "z-score", "countries": countries,
             "sectors": ["economy_wide"], "formula": method, "inputs": list(components),
             "description": "Composite of the components, normalised on a fixed base period; see METHODOLOGY.md."}
    try:
        indicator = parse_indicator(entry, 1, overrides_origin, catalog, (), kind="[metrics.index]")
    except CatalogError as exc:
        raise MetricsError(str(exc)) from None
    spec = IndexSpec(components=tuple(components), weights=full_weights, log=frozenset(log),
                     normalisation=normalisation, base_period=(base[0], base[1]), min_components=k,
                     carry_forward=carry, exclude=frozenset(exclude),
                     directions={c: known[c].direction for c in components},
                     sources={c: known[c].source for c in components}, indicator=indicator, pillars=pillars)
    return replace(spec, pillar_specs=tuple(_pillar_spec(spec, p, entry, catalog, overrides_origin)
                                            for p in pillars))


def _parse_pillars(value: Any, fail: Any) -> tuple[Pillar, ...]:
    if not isinstance(value, Mapping):
        raise fail("pillars", f"must be a table of pillar name = {{code, name, components, min_components}}, "
                              f"got {value!r}")
    pillars = []
    for key, table in value.items():
        if not isinstance(table, Mapping) or set(table) - set(_PILLAR_KEYS):
            raise fail("pillars", f"{key}: must be a table with keys {', '.join(_PILLAR_KEYS)}")
        code, members = table.get("code"), table.get("components")
        if not isinstance(code, str) or not code.startswith(INDEX_CODE + "."):
            raise fail("pillars", f"{key}: code must start with {INDEX_CODE}., got {code!r}")
        if not isinstance(members, list) or not members or not all(isinstance(c, str) for c in members):
            raise fail("pillars", f"{key}: components must be a non-empty list of codes, got {members!r}")
        k = table.get("min_components", 1)
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(members):
            raise fail("pillars", f"{key}: min_components must be a whole number from 1 to {len(members)}")
        pillars.append(Pillar(str(table.get("name", key)), code, tuple(members), k))
    codes = [c for p in pillars for c in p.components]
    if len(set(codes)) != len(codes):
        raise fail("pillars", "a component belongs to two pillars")
    return tuple(pillars)


def _pillar_spec(spec: IndexSpec, pillar: Pillar, entry: Mapping[str, Any], catalog: Catalog,
                 origin: str) -> IndexSpec:
    """The pillar scored on its own: the index's settings restricted to the pillar's components."""
    weights = {c: spec.weights[c] for c in pillar.components}
    log = frozenset(c for c in spec.log if c in pillar.components)
    method = describe(pillar.components, weights, log, spec.normalisation, spec.base_period,
                      pillar.min_components, spec.carry_forward, len(spec.indicator.countries))
    sub = {**entry, "code": pillar.code, "name": f"{spec.indicator.name}: {pillar.name} pillar",
           "formula": method, "inputs": list(pillar.components),
           "description": f"The {pillar.name} pillar of the index on its own; see METHODOLOGY.md."}
    try:
        indicator = parse_indicator(sub, 1, origin, catalog, (), kind="[metrics.index]")
    except CatalogError as exc:
        raise MetricsError(str(exc)) from None
    return replace(spec, components=pillar.components, weights=weights, log=log,
                   min_components=pillar.min_components,
                   directions={c: spec.directions[c] for c in pillar.components},
                   sources={c: spec.sources[c] for c in pillar.components}, indicator=indicator,
                   pillars=(), pillar_specs=())


# ---------------------------------------------------------------------------------------------- computation
@dataclass(frozen=True)
class BaseStats:
    """A component's transformed values over the base period, across the index economies."""

    count: int
    minimum: float
    maximum: float
    mean: float
    sd: float  # population standard deviation (ddof 0)


@dataclass(frozen=True)
class Contribution:
    component: str
    input_key: str
    value_period: dt.date  # the period the value comes from: earlier than the index period when carried forward
    raw_value: float
    value_used: float  # after the log transform, if any
    score: float
    weight: float  # as configured
    effective_weight: float  # re-scaled over the components present
    contribution: float  # effective_weight * score; the index is their sum
    base: BaseStats


@dataclass
class IndexResult:
    values: dict[str, dict[dt.date, float]] = field(default_factory=dict)
    contributions: dict[tuple[str, dt.date], list[Contribution]] = field(default_factory=dict)
    missing: dict[str, dict[dt.date, Missing]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def transform(spec: IndexSpec, component: str, value: float) -> float | None:
    """The value scored: its natural log for `log` components (None when not positive)."""
    if component not in spec.log:
        return value
    return math.log(value) if value > 0 else None


def base_stats(spec: IndexSpec, component: str, series: Mapping[str, Mapping[dt.date, float]]) -> BaseStats | None:
    """Statistics of the component over the base period across the index economies (None when it has none)."""
    first, last = spec.base_period
    used = [t for country, values in series.items() if country in spec.indicator.countries
            for period, value in values.items() if first <= period.year <= last
            and (t := transform(spec, component, value)) is not None]
    if not used:
        return None
    mean = sum(used) / len(used)
    sd = math.sqrt(sum((v - mean) ** 2 for v in used) / len(used))
    return BaseStats(len(used), min(used), max(used), mean, sd)


def score(spec: IndexSpec, component: str, value_used: float, base: BaseStats) -> float:
    """Normalised and turned: higher always means more self-reliant."""
    direction = spec.directions[component]
    if spec.normalisation == "minmax":
        span = base.maximum - base.minimum
        distance = value_used - base.minimum if direction > 0 else base.maximum - value_used
        return MINMAX_SCALE * distance / span
    return direction * (value_used - base.mean) / base.sd


def compute_index(spec: IndexSpec, components: Mapping[str, Mapping[str, Mapping[dt.date, float]]],
                  countries: list[str]) -> IndexResult:
    """Index values and contributions for `countries`; `components[code][country][period]` are raw values."""
    result = IndexResult()
    stats: dict[str, BaseStats] = {}
    for code in spec.components:
        base = base_stats(spec, code, components.get(code, {}))
        spread = None if base is None else (base.maximum - base.minimum if spec.normalisation == "minmax"
                                           else base.sd)
        if base is None or not spread:
            result.warnings.append(f"{code}: no base-period spread ({spec.base_period[0]}-{spec.base_period[1]}); "
                                   "left out of the index")
        else:
            stats[code] = base
    for country in countries:
        series = {code: components.get(code, {}).get(country, {}) for code in spec.components if code in stats}
        for period in sorted({p for values in series.values() for p in values}):
            observed = [code for code, values in series.items() if period in values
                        and transform(spec, code, values[period]) is not None]
            if len(observed) < spec.min_components:
                result.missing.setdefault(country, {})[period] = Missing(
                    TOO_FEW_COMPONENTS, f"{len(observed)} of {len(spec.components)} observed "
                                        f"({', '.join(observed) or 'none'}), need {spec.min_components}")
                continue
            short = [p for p in spec.pillars
                     if sum(code in observed for code in p.components) < p.min_components]
            if short:
                result.missing.setdefault(country, {})[period] = Missing(
                    TOO_FEW_COMPONENTS, "; ".join(f"{p.name} pillar: {sum(c in observed for c in p.components)} "
                                                  f"observed, need {p.min_components}" for p in short))
                continue
            present = [(code, found) for code in spec.components if code in series
                       and (found := _latest(spec, code, series[code], period)) is not None]
            shares = effective_weights(spec, [code for code, _ in present])
            rows = []
            for code, (value_period, raw, used) in present:
                s = score(spec, code, used, stats[code])
                share = shares[code]
                rows.append(Contribution(code, spec.component_key(code, country), value_period, raw, used, s,
                                         spec.weights[code], share, share * s, stats[code]))
            result.values.setdefault(country, {})[period] = sum(r.contribution for r in rows)
            result.contributions[(country, period)] = rows
    return result


def effective_weights(spec: IndexSpec, present: list[str]) -> dict[str, float]:
    """Weights re-scaled over the components present: within each pillar, then over the pillars present."""
    groups = [p.components for p in spec.pillars] or [spec.components]
    mass = {i: sum(spec.weights[c] for c in group) for i, group in enumerate(groups)}
    held = {i: sum(spec.weights[c] for c in group if c in present) for i, group in enumerate(groups)}
    total = sum(mass[i] for i in mass if held[i] > 0)
    return {c: mass[i] / total * spec.weights[c] / held[i]
            for i, group in enumerate(groups) for c in group if c in present}


def _latest(spec: IndexSpec, code: str, values: Mapping[dt.date, float],
            period: dt.date) -> tuple[dt.date, float, float] | None:
    """(value period, raw, transformed) of the newest usable value at most `carry_forward` years before `period`."""
    for years_back in range(spec.carry_forward + 1):
        candidate = period.replace(year=period.year - years_back)
        raw = values.get(candidate)
        used = None if raw is None else transform(spec, code, raw)
        if used is not None:
            return candidate, raw, used
    return None
