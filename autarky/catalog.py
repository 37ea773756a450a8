"""The indicator catalog: what each indicator is, where it comes from, how to read it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from autarky.errors import CatalogError
from autarky.periods import FREQUENCIES

CATEGORIES = ("trade", "patent", "investment", "composite", "context", "supply")
DIRECTIONS = (-1, 0, 1)
BUILTIN_CATALOG = "catalog.toml"
_REQUIRED = ("code", "name", "category", "source", "unit", "frequency", "direction")
_OPTIONAL = ("countries", "partners", "sectors", "min", "max", "params", "description", "licence", "attribution",
             "formula", "inputs")


@dataclass(frozen=True)
class Source:
    code: str
    name: str
    base_url: str = ""
    licence: str = ""
    attribution: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    category: str
    source: str
    unit: str
    frequency: str
    direction: int
    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    licence: str = ""
    attribution: str = ""
    formula: str = ""
    inputs: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    forecast: bool = True  # False for a yes/no indicator (a chokepoint flag): no trend to extrapolate

    @property
    def hs(self) -> str | None:
        """The HS code (4, 6 or 8 digits) of a trade indicator, from params."""
        return str(self.params["hs"]) if "hs" in self.params else None

    @property
    def flow(self) -> str | None:
        """M (imports) or X (exports) for a trade indicator, from params."""
        return str(self.params["flow"]) if "flow" in self.params else None


WORLD = "WLD"


def series_key(source: str, indicator: str, country: str, partner: str | None = None) -> str:
    """The stable key of one series: `wb:IP.PAT.RESD:CHN`; bilateral `comtrade:CT.8542.M:CHN:USA` (partner ISO3).

    Partner World (None or WLD) keeps the three-part key, so every existing key is unchanged.
    """
    if partner and partner != WORLD:
        return f"{source}:{indicator}:{country}:{partner}"
    return f"{source}:{indicator}:{country}"


def parse_series_key(key: str) -> tuple[str, str, str, str | None]:
    """(source, indicator, reporter, partner or None for World) of a three- or four-part key."""
    parts = key.split(":")
    if len(parts) not in (3, 4) or not all(parts):
        raise CatalogError(f"series key {key!r} is not of the form source:INDICATOR:ISO3 or "
                           "source:INDICATOR:REPORTER:PARTNER")
    return parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else None


def split_series_key(key: str) -> tuple[str, str, str]:
    """(source, indicator, reporter) of any valid key (a bilateral key's partner is dropped)."""
    return parse_series_key(key)[:3]


@dataclass
class Catalog:
    """Indicators, sources, countries and sectors, merged from the built-in file and user additions."""

    indicators: dict[str, Indicator]
    sources: dict[str, Source]
    countries: dict[str, str]
    sectors: dict[str, str]

    def indicator(self, code: str) -> Indicator:
        try:
            return self.indicators[code]
        except KeyError:
            raise CatalogError(f"unknown indicator {code!r}: not in the catalog") from None

    def by_source(self, source: str) -> list[Indicator]:
        return [ind for ind in self.indicators.values() if ind.source == source]

    def country_name(self, iso3: str) -> str:
        return self.countries.get(iso3, iso3)

    def attribution(self, indicator: Indicator) -> str:
        src = self.sources.get(indicator.source)
        return indicator.attribution or (src.attribution if src else "")

    def licence(self, indicator: Indicator) -> str:
        src = self.sources.get(indicator.source)
        return indicator.licence or (src.licence if src else "")

    def add(self, indicator: Indicator) -> None:
        """Add or replace one indicator (derived metrics register themselves this way)."""
        self.indicators[indicator.code] = indicator


CatalogExtension = Callable[["Catalog", Mapping[str, Any], str], None]


def load_catalog(extra: Mapping[str, Any] | None = None, extra_origin: str = "autarky.toml",
                 path: str | Path | None = None, extensions: Sequence[CatalogExtension] = ()) -> Catalog:
    """The built-in catalog (or `path`), the user config's `[[indicator]]`/`[sources.*]`, then each extension
    (the composition layer passes the derived metrics' one: autarky.app.load_catalog): the kernel knows no stage."""
    if path is None:
        text = resources.files("autarky.data").joinpath(BUILTIN_CATALOG).read_text(encoding="utf-8")
        origin = f"autarky/data/{BUILTIN_CATALOG}"
    else:
        text, origin = Path(path).read_text(encoding="utf-8"), str(path)
    try:
        base = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{origin}: invalid TOML: {exc}") from None
    catalog = Catalog(indicators={}, sources={}, countries=dict(base.get("countries", {})),
                      sectors=dict(base.get("sectors", {})))
    default_countries = tuple(base.get("defaults", {}).get("countries", ()))
    for layer, layer_origin in ((base, origin), (extra or {}, extra_origin)):
        for code, spec in layer.get("sources", {}).items():
            catalog.sources[code] = _parse_source(code, spec, layer_origin)
        catalog.countries.update(layer.get("countries", {}))
        for number, entry in enumerate(layer.get("indicator", []), start=1):
            ind = parse_indicator(entry, number, layer_origin, catalog, default_countries)
            catalog.indicators[ind.code] = ind
    # Imported here: the supply-chain module builds on this one (circular at the top level).
    from autarky.supply_chain import add_cset_indicators

    add_cset_indicators(catalog)
    for extend in extensions:
        extend(catalog, extra or {}, extra_origin)
    return catalog


def _parse_source(code: str, spec: Any, origin: str) -> Source:
    if not isinstance(spec, Mapping) or "name" not in spec:
        raise CatalogError(f"{origin}: [sources.{code}]: field 'name': required")
    return Source(code=code, name=str(spec["name"]), base_url=str(spec.get("base_url", "")),
                  licence=str(spec.get("licence", "")), attribution=str(spec.get("attribution", "")))


def parse_indicator(entry: Any, number: int, origin: str, catalog: Catalog,
                    default_countries: tuple[str, ...], kind: str = "indicator") -> Indicator:
    """One validated indicator; errors name the file, the entry (`kind #number (code)`) and the field."""
    label = f"{kind} #{number}"
    if not isinstance(entry, Mapping):
        raise CatalogError(f"{origin}: {label}: must be a table")
    if isinstance(entry.get("code"), str):
        label = f"{kind} #{number} ({entry['code']})"

    def fail(field_name: str, problem: str) -> CatalogError:
        return CatalogError(f"{origin}: {label}: field '{field_name}': {problem}")

    for name in _REQUIRED:
        if name not in entry:
            raise fail(name, "required")
    unknown = set(entry) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise fail(sorted(unknown)[0], "unknown field")
    for name in ("code", "name", "source", "unit"):
        if not isinstance(entry[name], str) or not entry[name].strip():
            raise fail(name, f"must be a non-empty string, got {entry[name]!r}")
    if ":" in entry["code"]:
        raise fail("code", "must not contain ':'")
    if entry["category"] not in CATEGORIES:
        raise fail("category", f"must be one of {', '.join(CATEGORIES)}, got {entry['category']!r}")
    if entry["frequency"] not in FREQUENCIES:
        raise fail("frequency", f"must be one of {', '.join(FREQUENCIES)}, got {entry['frequency']!r}")
    if isinstance(entry["direction"], bool) or entry["direction"] not in DIRECTIONS:
        raise fail("direction", f"must be 1, -1 or 0, got {entry['direction']!r}")
    if entry["source"] not in catalog.sources:
        raise fail("source", f"unknown source {entry['source']!r} (known: {', '.join(sorted(catalog.sources))})")
    countries = entry.get("countries", default_countries)
    partners = entry.get("partners", [])
    for name, codes in (("countries", countries), ("partners", partners)):
        if not _iso3_list(codes):
            raise fail(name, f"must be a list of ISO3 codes such as 'CHN', got {codes!r}")
    sectors = entry.get("sectors", [])
    bad = [s for s in sectors if s not in catalog.sectors] if isinstance(sectors, list) else [sectors]
    if bad:
        raise fail("sectors", f"unknown sector {bad[0]!r} (known: {', '.join(catalog.sectors)})")
    bounds = {}
    for name in ("min", "max"):
        value = entry.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise fail(name, f"must be a number, got {value!r}")
        bounds[name] = None if value is None else float(value)
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        raise fail("max", f"is below min ({bounds['max']} < {bounds['min']})")
    params = entry.get("params", {})
    if not isinstance(params, Mapping):
        raise fail("params", "must be a table")
    inputs = entry.get("inputs", [])
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise fail("inputs", "must be a list of indicator codes")
    return Indicator(
        code=entry["code"], name=entry["name"], category=entry["category"], source=entry["source"],
        unit=entry["unit"], frequency=entry["frequency"], direction=int(entry["direction"]),
        countries=tuple(countries), sectors=tuple(sectors), min=bounds["min"], max=bounds["max"],
        params=dict(params), description=str(entry.get("description", "")),
        licence=str(entry.get("licence", "")), attribution=str(entry.get("attribution", "")),
        formula=str(entry.get("formula", "")), inputs=tuple(inputs), partners=tuple(partners),
    )


def _iso3_list(codes: Any) -> bool:
    return isinstance(codes, (list, tuple)) and all(
        isinstance(c, str) and len(c) == 3 and c.isalpha() and c.isupper() for c in codes)


def indicator_series(catalog: Catalog, codes: Iterable[str] | None = None) -> list[tuple[Indicator, str]]:
    """(indicator, country) pairs for the catalog's indicators (or just `codes`)."""
    chosen = [catalog.indicator(c) for c in codes] if codes else list(catalog.indicators.values())
    return [(ind, country) for ind in chosen for country in ind.countries]


def partner_series(indicator: Indicator) -> list[tuple[str, str | None]]:
    """(reporter, partner) pairs of one indicator: World (None) for each country, then the bilateral pairs.

    The first country of `countries` is the focus: it is paired with each declared partner, and each partner that is
    also one of the countries reports its own flows with the focus (mirror flows, e.g. USA's exports to CHN).
    """
    pairs: list[tuple[str, str | None]] = [(country, None) for country in indicator.countries]
    if not indicator.partners or not indicator.countries:
        return pairs
    focus = indicator.countries[0]
    pairs += [(focus, partner) for partner in indicator.partners if partner != focus]
    pairs += [(country, focus) for country in indicator.countries[1:] if country in indicator.partners]
    return list(dict.fromkeys(pairs))
