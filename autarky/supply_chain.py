"""The CSET/ETO semiconductor supply-chain graph (stages, inputs, which input feeds which), bundled separately.

The shares themselves are snapshot series `cset:CSET.<input_id>:<ISO3>` (percent of world supply). This module
reads the graph files and declares one catalog indicator per input. Licence: CC BY-NC 4.0 (see CSET_LICENCE).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from autarky.catalog import Catalog, Indicator

CSET_SOURCE = "cset"
CSET_PREFIX = "CSET."
CSET_LICENCE = ("CC BY-NC 4.0 (non-commercial) — Emerging Technology Observatory (CSET), Advanced Semiconductor "
                "Supply Chain Dataset, github.com/georgetown-cset/eto-chip-explorer")
# Countries a CSET series is declared for; the snapshot registers every country CSET gives a share for.
CSET_COUNTRIES = ("CHN", "USA", "JPN", "KOR", "TWN", "NLD", "DEU")
# CSET input types -> the kind of input the Supply chain page groups them by.
INPUT_KINDS = {"tool_resource": "tools", "material_resource": "materials", "design_resource": "software",
               "process": "process", "ultimate_output": "output"}


@dataclass(frozen=True)
class SupplyInput:
    input_id: str
    name: str
    kind: str
    stage: str  # stage name (Design, Fabrication, Assembly, testing, and packaging (ATP)) or "" if not direct
    year: str

    @property
    def code(self) -> str:
        return f"{CSET_PREFIX}{self.input_id}"


def _bundled(name: str) -> list[dict[str, str]]:
    text = resources.files("autarky.data").joinpath("snapshot").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def supply_inputs() -> tuple[SupplyInput, ...]:
    """Every CSET input, with its stage resolved through the input graph (an input inherits the stage of what it
    goes into or is a type of, when CSET names none for it)."""
    rows = _bundled("cset_inputs.csv")
    direct = {r["input_id"]: r["stage_name"] for r in rows}
    parents: dict[str, list[str]] = {}
    for edge in _bundled("cset_sequence.csv"):
        for target in (edge["goes_into_id"], edge["is_type_of_id"]):
            if target:
                parents.setdefault(edge["input_id"], []).append(target)

    def stage(input_id: str, seen: frozenset[str] = frozenset()) -> str:
        if direct.get(input_id):
            return direct[input_id]
        for parent in parents.get(input_id, []):
            if parent not in seen:
                found = stage(parent, seen | {input_id})
                if found:
                    return found
        return ""

    return tuple(SupplyInput(r["input_id"], r["input_name"], INPUT_KINDS.get(r["type"], r["type"]),
                             stage(r["input_id"]), r["year"]) for r in rows)


@lru_cache(maxsize=1)
def supply_stages() -> tuple[SupplyInput, ...]:
    """The three stages (Design, Fabrication, ATP); CSET gives country shares for each stage as a whole too."""
    return tuple(SupplyInput(r["stage_id"], r["stage_name"], "stage", r["stage_name"], "")
                 for r in _bundled("cset_stages.csv"))


def sequence() -> list[tuple[str, str]]:
    """(input_id, the input it goes into or is a type of) edges of the graph."""
    return [(e["input_id"], e["goes_into_id"] or e["is_type_of_id"]) for e in _bundled("cset_sequence.csv")
            if e["goes_into_id"] or e["is_type_of_id"]]


def add_cset_indicators(catalog: Catalog) -> None:
    """One indicator per CSET input: each country's share of world supply of it, in percent."""
    if CSET_SOURCE not in catalog.sources:
        return
    for item in supply_stages() + supply_inputs():
        sectors = ("semiconductors", "advanced_materials") if item.kind == "materials" else ("semiconductors",)
        catalog.add(Indicator(
            code=item.code, name=f"Share of world supply: {item.name}", category="supply", source=CSET_SOURCE,
            unit="% of world supply", frequency="A", direction=1, countries=CSET_COUNTRIES,
            sectors=tuple(s for s in sectors if s in catalog.sectors), min=0.0, max=100.0,
            params={"input_id": item.input_id, "kind": item.kind, "stage": item.stage},
            description=f"CSET/ETO share of world supply ({item.kind}, stage {item.stage or 'n/a'}). "
                        "Shares mix measures (sales, capacity by location, firm headquarters) by input.",
            licence="CC BY-NC 4.0"))
