"""Derived metric definitions: autarky/data/metrics.toml plus config [metrics], checked against the catalog.

Every formula is parsed and its inputs resolved here, once, so a bad formula or an unknown input fails at catalog
load with the file, the entry and the field. Trade metrics are made for every M/X pair of trade indicators the
catalog holds (never a hard-coded HS list), so a collector's new trade series get their ratios at once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Mapping

from autarky.catalog import Catalog, Indicator, parse_indicator, series_key
from autarky.config import Config, read_section, setting
from autarky.errors import CatalogError, MetricsError
from autarky.metrics.formula import Expr, FormulaError, Ref, parse, references, rename
from autarky.metrics.index import IndexSpec, parse_index
from autarky.periods import ANNUAL, frequency_of

METRICS_FILE = "metrics.toml"
METRICS_ORIGIN = f"autarky/data/{METRICS_FILE}"
DERIVED_SOURCE = "derived"
PEER_PLACEHOLDER = "{peer}"
PEER_NAME_PLACEHOLDER = "{peer_name}"
IMPORTS, EXPORTS = "M", "X"
# Codes of trade pairs from this source carry only the HS code; pairs from other sources also name their source.
MAIN_TRADE_SOURCE = "comtrade"
_METRIC_REQUIRED = ("code", "name", "formula", "inputs", "unit", "direction", "category")
_METRIC_OPTIONAL = ("sectors", "min", "max", "description", "countries")
_TRADE_REQUIRED = ("prefix", "name", "formula", "unit", "direction")
_TRADE_OPTIONAL = ("min", "max", "description")


@dataclass(frozen=True)
class MetricDef:
    """One derived indicator: its catalog entry, its parsed formula and the source of every input code."""

    indicator: Indicator
    expr: Expr
    input_sources: Mapping[str, str]

    @property
    def code(self) -> str:
        return self.indicator.code

    def key(self, country: str) -> str:
        return series_key(DERIVED_SOURCE, self.code, country)

    def refs(self) -> list[Ref]:
        return references(self.expr)

    def ref_key(self, ref: Ref, country: str) -> str:
        """The stored series a reference reads for `country` (a pinned reference reads its own country)."""
        return series_key(self.input_sources[ref.code], ref.code, ref.country or country, ref.partner)

    def input_keys(self, country: str) -> list[str]:
        return list(dict.fromkeys(self.ref_key(ref, country) for ref in self.refs()))


@dataclass(frozen=True)
class Definitions:
    metrics: tuple[MetricDef, ...]  # each after the metrics it reads
    index: IndexSpec

    def metric(self, code: str) -> MetricDef:
        return next(m for m in self.metrics if m.code == code)


@dataclass
class _Entry:
    fields: dict[str, Any]
    origin: str
    kind: str
    number: int

    @property
    def code(self) -> str:
        return str(self.fields.get("code", ""))

    def fail(self, field: str, problem: str) -> MetricsError:
        label = f"{self.kind} #{self.number}" + (f" ({self.code})" if self.code else "")
        return MetricsError(f"{self.origin}: {label}: field '{field}': {problem}")


@lru_cache(maxsize=1)
def _builtin_file() -> dict[str, Any]:
    text = resources.files("autarky.data").joinpath(METRICS_FILE).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MetricsError(f"{METRICS_ORIGIN}: invalid TOML: {exc}") from None


def builtin_table(name: str) -> dict[str, Any]:
    """One top-level table of the built-in metrics file (e.g. `sensitivity`), empty when absent."""
    return dict(_builtin_file().get(name, {}))


def config_origin(config: Config) -> str:
    return str(config.path) if config.path else "autarky.toml"


def definitions_for(catalog: Catalog, config: Config) -> Definitions:
    """The definitions an app runs with: built-in metrics, then the config's [metrics] table."""
    return build_definitions(catalog, config.section("metrics"), config_origin(config))


def add_derived_indicators(catalog: Catalog, settings: Mapping[str, Any], origin: str) -> None:
    """Add every derived indicator (and the index) to the catalog, so all stages see them like raw ones."""
    definitions = build_definitions(catalog, settings, origin)
    for metric in definitions.metrics:
        catalog.add(metric.indicator)
    catalog.add(definitions.index.indicator)
    for pillar in definitions.index.pillar_specs:
        catalog.add(pillar.indicator)
    from autarky.metrics.chokepoints import add_chokepoint_indicators  # it reads metrics.compute, which reads this

    add_chokepoint_indicators(catalog, DERIVED_SOURCE)


@dataclass(frozen=True)
class MetricsSection:
    """The `[metrics]` table; its metric and index tables are read field by field below and in metrics/index.py,
    `[metrics.supply]` by metrics/chokepoints.py."""

    peers: tuple[str, ...] | None = setting(None, expected="a list of ISO3 codes")
    metric: tuple[dict[str, Any], ...] = setting((), expected="an array of tables ([[metrics.metric]])")
    index: dict[str, Any] = setting(default_factory=dict)
    supply: dict[str, Any] = setting(default_factory=dict)


def build_definitions(catalog: Catalog, settings: Mapping[str, Any], origin: str = "autarky.toml") -> Definitions:
    """Parse, check and order every derived metric; MetricsError names the file, the entry and the field."""
    if not isinstance(settings, Mapping):
        raise MetricsError(f"{origin}: [metrics] must be a table")
    section = read_section(MetricsSection, settings, "metrics", origin=origin)
    builtin = _builtin_file()
    raw = {ind.code: ind for ind in catalog.indicators.values() if ind.source != DERIVED_SOURCE}
    peers = _peers(list(section.peers) if section.peers is not None else builtin.get("peers", []), catalog,
                   origin if section.peers is not None else METRICS_ORIGIN)
    entries = _metric_entries(builtin.get("metric", []), METRICS_ORIGIN, "metric", peers, catalog)
    user = _metric_entries(list(section.metric), origin, "metrics.metric", peers, catalog)
    user_codes = {e.code for e in user}
    entries = [e for e in entries if e.code not in user_codes] + user
    entries += _trade_entries(builtin.get("trade", []), raw)
    resolved: dict[str, Indicator] = dict(raw)
    metrics = []
    for entry, expr in _in_dependency_order(entries, raw):
        metric = _resolve(entry, expr, resolved, catalog)
        resolved[metric.code] = metric.indicator
        metrics.append(metric)
    index_origin = origin if "index" in settings else METRICS_ORIGIN
    index = parse_index(builtin.get("index", {}), section.index, resolved, catalog,
                        METRICS_ORIGIN, index_origin)
    return Definitions(metrics=tuple(metrics), index=index)


def _peers(value: Any, catalog: Catalog, origin: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise MetricsError(f"{origin}: [metrics] peers: must be a list of ISO3 codes, got {value!r}")
    unknown = [p for p in value if p not in catalog.countries]
    if unknown:
        raise MetricsError(f"{origin}: [metrics] peers: unknown country {unknown[0]!r} "
                           f"(known: {', '.join(catalog.countries)})")
    return list(value)


def _metric_entries(tables: Any, origin: str, kind: str, peers: list[str], catalog: Catalog) -> list[_Entry]:
    if not isinstance(tables, list):
        raise MetricsError(f"{origin}: [[{kind}]] must be a list of tables")
    entries = []
    for number, table in enumerate(tables, start=1):
        if not isinstance(table, Mapping):
            raise MetricsError(f"{origin}: {kind} #{number}: must be a table")
        entry = _Entry(dict(table), origin, kind, number)
        _check_fields(entry, _METRIC_REQUIRED, _METRIC_OPTIONAL)
        for name in ("code", "name", "formula"):
            if not isinstance(entry.fields[name], str) or not entry.fields[name].strip():
                raise entry.fail(name, f"must be a non-empty string, got {entry.fields[name]!r}")
        if PEER_PLACEHOLDER in entry.code:
            entries += [_for_peer(entry, peer, catalog) for peer in peers]
        elif PEER_PLACEHOLDER in entry.fields["formula"]:
            raise entry.fail("code", f"must contain {PEER_PLACEHOLDER} when the formula does")
        else:
            entries.append(entry)
    return entries


def _for_peer(entry: _Entry, peer: str, catalog: Catalog) -> _Entry:
    fields = dict(entry.fields)
    for name in ("code", "name", "formula", "description"):
        if isinstance(fields.get(name), str):
            fields[name] = (fields[name].replace(PEER_PLACEHOLDER, peer)
                            .replace(PEER_NAME_PLACEHOLDER, catalog.country_name(peer)))
    return _Entry(fields, entry.origin, entry.kind, entry.number)


def _check_fields(entry: _Entry, required: Iterable[str], optional: Iterable[str]) -> None:
    for name in required:
        if name not in entry.fields:
            raise entry.fail(name, "required")
    unknown = set(entry.fields) - set(required) - set(optional)
    if unknown:
        raise entry.fail(sorted(unknown)[0], "unknown field")


# ---------------------------------------------------------------------------------------------- trade pairs
@dataclass(frozen=True, eq=False)  # hashed by identity: indicators hold dicts
class TradePair:
    """Imports and exports of one product in one source and frequency, told apart only by `params.flow`."""

    imports: Indicator
    exports: Indicator

    @property
    def hs(self) -> str:
        return str(self.imports.params["hs"])

    def other_params(self) -> dict[str, Any]:
        return {k: v for k, v in sorted(self.imports.params.items()) if k not in ("hs", "flow")}


def trade_pairs(indicators: Iterable[Indicator]) -> list[TradePair]:
    """Every M/X pair with the same source, frequency and params apart from the flow, in catalog order."""
    groups: dict[tuple, dict[str, Indicator]] = {}
    for ind in indicators:
        flow, hs = ind.params.get("flow"), ind.params.get("hs")
        if flow not in (IMPORTS, EXPORTS) or hs in (None, ""):
            continue
        rest = tuple(sorted((k, repr(v)) for k, v in ind.params.items() if k != "flow"))
        group = groups.setdefault((ind.source, ind.frequency, rest), {})
        if flow in group:
            raise MetricsError(f"trade indicators {group[flow].code} and {ind.code} are both flow {flow} of "
                               f"source {ind.source}, frequency {ind.frequency}, params {dict(rest)}: "
                               "cannot tell which to pair; give them different params")
        group[flow] = ind
    return [TradePair(g[IMPORTS], g[EXPORTS]) for g in groups.values() if IMPORTS in g and EXPORTS in g]


def trade_suffixes(pairs: list[TradePair]) -> dict[TradePair, str]:
    """A code suffix per pair: the HS code, then the source (if not the main one) and frequency, then other params."""
    def base(pair: TradePair) -> list[str]:
        parts = [pair.hs]
        if pair.imports.source != MAIN_TRADE_SOURCE:
            parts.insert(0, pair.imports.source)
        if pair.imports.frequency != ANNUAL.code:
            parts.append(frequency_of(pair.imports.frequency).label.upper())
        return parts

    bases = {pair: base(pair) for pair in pairs}
    suffixes = {}
    for pair, parts in bases.items():
        if sum(other == parts for other in bases.values()) > 1:
            parts = parts + [str(v) for v in pair.other_params().values()]
        suffixes[pair] = ".".join(re.sub(r"[^A-Za-z0-9_]", "_", p).upper() for p in parts)
    return suffixes


def _trade_entries(templates: Any, raw: Mapping[str, Indicator]) -> list[_Entry]:
    pairs = trade_pairs(raw.values())
    suffixes = trade_suffixes(pairs)
    entries = []
    for number, table in enumerate(templates, start=1):
        template = _Entry(dict(table), METRICS_ORIGIN, "trade", number)
        _check_fields(template, _TRADE_REQUIRED, _TRADE_OPTIONAL)
        try:
            expr = parse(str(template.fields["formula"]))
        except FormulaError as exc:
            raise template.fail("formula", str(exc)) from None
        bad = [str(r) for r in references(expr) if r.code not in (IMPORTS, EXPORTS) or r.country]
        if bad:
            raise template.fail("formula", f"may use only {IMPORTS} and {EXPORTS}, found {bad[0]!r}")
        for pair in pairs:
            entries.append(_trade_entry(template, expr, pair, suffixes[pair]))
    return entries


def _trade_entry(template: _Entry, expr: Expr, pair: TradePair, suffix: str) -> _Entry:
    mapping = {IMPORTS: pair.imports.code, EXPORTS: pair.exports.code}
    subject = re.sub(r"^Imports of\s+", "", pair.imports.name) or f"HS {pair.hs}"
    fields = {key: template.fields[key] for key in ("unit", "direction", "min", "max", "description")
              if key in template.fields}
    fields.update(code=f"{template.fields['prefix']}.{suffix}", name=f"{template.fields['name']}: {subject}",
                  formula=str(rename(expr, mapping)), inputs=list(mapping.values()), category="trade",
                  sectors=list(dict.fromkeys(pair.imports.sectors + pair.exports.sectors)))
    return _Entry(fields, template.origin, "trade", template.number)


# ---------------------------------------------------------------------------------------------- resolving
def _in_dependency_order(entries: list[_Entry], raw: Mapping[str, Indicator]) -> list[tuple[_Entry, Expr]]:
    """Parse every formula and order the entries so a metric comes after the metrics it reads."""
    parsed: dict[str, tuple[_Entry, Expr]] = {}
    for entry in entries:
        if ":" in entry.code:
            raise entry.fail("code", "must not contain ':'")
        if entry.code in raw:
            raise entry.fail("code", f"{entry.code!r} is already a catalog indicator (source "
                                     f"{raw[entry.code].source}); derived metrics need their own code")
        if entry.code in parsed:
            raise entry.fail("code", f"{entry.code!r} is defined twice")
        try:
            parsed[entry.code] = (entry, parse(str(entry.fields["formula"])))
        except FormulaError as exc:
            raise entry.fail("formula", str(exc)) from None
    ordered: list[tuple[_Entry, Expr]] = []
    state: dict[str, str] = {}

    def visit(code: str, path: list[str]) -> None:
        if state.get(code) == "done":
            return
        if state.get(code) == "visiting":
            cycle = path[path.index(code):] + [code]
            raise parsed[code][0].fail("formula", f"metrics read each other in a cycle: {' -> '.join(cycle)}")
        state[code] = "visiting"
        for ref in references(parsed[code][1]):
            if ref.code in parsed:
                visit(ref.code, path + [code])
        state[code] = "done"
        ordered.append(parsed[code])

    for code in parsed:
        visit(code, [])
    return ordered


def _resolve(entry: _Entry, expr: Expr, known: Mapping[str, Indicator], catalog: Catalog) -> MetricDef:
    refs = references(expr)
    for ref in refs:
        if ref.code not in known:
            raise entry.fail("formula", f"unknown input {ref.code!r}: not a catalog indicator or derived metric")
        if ref.country and ref.country not in known[ref.code].countries:
            raise entry.fail("formula", f"{ref}: {ref.country} is not among the countries of {ref.code}")
        if ref.partner and ref.partner not in known[ref.code].partners:
            raise entry.fail("formula", f"{ref}: {ref.partner} is not among the partners of {ref.code} "
                                        f"({', '.join(known[ref.code].partners) or 'none'})")
    inputs = entry.fields["inputs"]
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise entry.fail("inputs", f"must be a list of indicator codes, got {inputs!r}")
    used = list(dict.fromkeys(ref.code for ref in refs))
    if not used:
        raise entry.fail("formula", "reads no input: a derived metric needs at least one indicator")
    if set(inputs) != set(used):
        extra, absent = sorted(set(inputs) - set(used)), sorted(set(used) - set(inputs))
        problem = (f"lists {extra[0]!r}, which the formula does not read" if extra
                   else f"does not list {absent[0]!r}, which the formula reads")
        raise entry.fail("inputs", problem)
    frequencies = {known[code].frequency for code in used}
    if len(frequencies) > 1:
        raise entry.fail("formula", f"mixes frequencies {sorted(frequencies)} of {', '.join(used)}")
    local = [ref.code for ref in refs if not ref.country and not ref.partner] or used
    countries = [c for c in known[local[0]].countries if all(c in known[code].countries for code in local)]
    if "countries" in entry.fields:
        wanted = entry.fields["countries"]
        if not isinstance(wanted, list):
            raise entry.fail("countries", f"must be a list of ISO3 codes, got {wanted!r}")
        countries = [c for c in countries if c in wanted]
    fields = dict(entry.fields, source=DERIVED_SOURCE, frequency=frequencies.pop() if frequencies else "A",
                  countries=countries, inputs=used, formula=str(entry.fields["formula"]).strip())
    try:
        indicator = parse_indicator(fields, entry.number, entry.origin, catalog, (), kind=entry.kind)
    except CatalogError as exc:
        raise MetricsError(str(exc)) from None
    return MetricDef(indicator=indicator, expr=expr, input_sources={code: known[code].source for code in used})
