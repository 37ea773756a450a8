"""Build the bundled snapshot (autarky/data/snapshot/*.csv) from the real files in ../shared/data.

Run from the project root: python tools/build_snapshot.py [--shared ../shared/data]
Every figure comes from those files; nothing is computed except the year of each NCSES row, which the tables
imply by row order and which this script checks against the tables' own totals before writing anything.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import build_chips as chips

WDI_INDICATORS = ["TX.VAL.TECH.CD", "TX.VAL.TECH.MF.ZS", "TM.VAL.MRCH.CD.WT", "TX.VAL.MRCH.CD.WT", "NY.GDP.MKTP.CD",
                  "IP.PAT.RESD", "IP.PAT.NRES", "IP.JRN.ARTC.SC", "BX.GSR.ROYL.CD", "BM.GSR.ROYL.CD",
                  "GB.XPD.RSDV.GD.ZS", "SP.POP.SCIE.RD.P6", "BX.KLT.DINV.CD.WD", "NV.MNF.TECH.ZS.UN",
                  "TX.MNF.TECH.ZS.UN"]
COUNTRIES = ["CHN", "USA", "JPN", "KOR", "DEU", "IND", "GBR", "FRA", "NLD", "ISR", "SGP", "RUS", "BRA", "CAN",
             "EUU", "WLD"]
# NCSES economy names (last element of the row path) -> ISO3.
NCSES_ECONOMIES = {"World": "WLD", "Total": "WLD", "United States": "USA", "China": "CHN", "Japan": "JPN",
                   "South Korea": "KOR", "Germany": "DEU", "Taiwan": "TWN", "India": "IND",
                   "United Kingdom": "GBR", "France": "FRA", "Netherlands": "NLD", "Israel": "ISR",
                   "Singapore": "SGP", "Russia": "RUS", "Brazil": "BRA", "Canada": "CAN", "EU-27": "EUU"}
# table id -> (indicator, rows per economy block, first year, whether the block's first row is the total)
NCSES_LONG = {"10558": ("NCSES.PCT.APPL", 24, 2000, True),
              "10557": ("NCSES.USPTO.SEMI", 26, 1998, False),
              "10551": ("NCSES.USPTO.UTIL", 24, 2000, False)}
NCSES_VC = ("10578", "NCSES.VC.INV")
# table 1993 (SEI S6-19): high R&D intensive products, exports and imports blocks, one field_YYYY column per year
NCSES_HRD = {"Exports": "NCSES.HRD.X", "Imports": "NCSES.HRD.M"}
MISSING = {"", "na", "D", "-", "—"}


def _economy(path: str) -> str:
    last = path.split("->")[-1].strip()
    return last.split("<sup>")[0].strip()


def _number(raw: str) -> float | None:
    text = raw.strip().rstrip("irD").strip().replace(",", "")
    if raw.strip() in MISSING or not text:
        return None
    return float(text)


def wdi_rows(shared: Path) -> list[tuple[str, str, int, str]]:
    out = []
    for code in WDI_INDICATORS:
        with open(shared / "wdi" / code.lower() / "data.csv", newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["Country Code"] in COUNTRIES and row["Value"].strip():
                    out.append((code, row["Country Code"], int(row["Year"]), row["Value"].strip()))
    return out


def ncses_long_rows(shared: Path, table: str) -> list[tuple[str, str, int, str]]:
    indicator, block, first_year, first_is_total = NCSES_LONG[table]
    with open(shared / "ncses" / table / "data.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    blocks: dict[str, list[dict]] = {}
    order: list[str] = []
    for row in rows:
        if row["time_period"] not in blocks:
            order.append(row["time_period"])
        blocks.setdefault(row["time_period"], []).append(row)
    years = list(range(first_year, first_year + block - 1))
    out = []
    checked = 0
    for path in order:
        values = blocks[path]
        if len(values) != block:
            raise SystemExit(f"ncses {table}: block {path!r} has {len(values)} rows, expected {block}")
        yearly = [_number(v["value"]) for v in values[1:]]
        if first_is_total:
            total = _number(values[0]["value"])
            if total is not None and all(v is not None for v in yearly):
                if abs(sum(yearly) - total) > 0.5 * len(yearly):  # each value rounded
                    raise SystemExit(f"ncses {table}: {path!r}: years sum to {sum(yearly)}, total row says {total}")
                checked += 1
        economy = _economy(path)
        if economy in NCSES_ECONOMIES:
            iso = NCSES_ECONOMIES[economy]
            out.extend((indicator, iso, year, values[i + 1]["value"].strip())
                       for i, year in enumerate(years) if yearly[i] is not None)
    if not first_is_total:
        checked = _check_world_equals_regions(table, blocks, order, block)
    print(f"ncses {table}: {checked} blocks checked against the table's own totals", file=sys.stderr)
    return out


def _check_world_equals_regions(table: str, blocks: dict, order: list[str], block: int) -> int:
    """Tables without a total row: the World row of each year must equal the sum of its regions (±rounding)."""
    regions = [p for p in order if p.count("->") == 1]
    checked = 0
    for i in range(1, block):
        world = _number(blocks["World"][i]["value"])
        parts = [_number(blocks[p][i]["value"]) for p in regions]
        if world is None or any(p is None for p in parts):
            continue
        if abs(sum(parts) - world) > max(1.0 * len(parts), 0.001 * world):
            raise SystemExit(f"ncses {table}: year row {i}: regions sum to {sum(parts)}, World says {world}")
        checked += 1
    return checked


def ncses_vc_rows(shared: Path) -> list[tuple[str, str, int, str]]:
    table, indicator = NCSES_VC
    out = []
    with open(shared / "ncses" / table / "data.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            economy = _economy(row["region_country_or_economy_full_path"])
            if economy not in NCSES_ECONOMIES:
                continue
            for column, raw in row.items():
                if column.startswith("field_") and _number(raw or "") is not None:
                    out.append((indicator, NCSES_ECONOMIES[economy], int(column[6:]), raw.strip()))
    return out


def ncses_hrd_rows(shared: Path) -> list[tuple[str, str, int, str]]:
    """Table 1993: each economy's exports and imports of high R&D intensive products, US$ millions."""
    out = []
    with open(shared / "ncses" / "1993" / "data.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        path = row["region_country_or_economy_full_path"]
        flow, _, rest = path.partition(" -> ")
        economy = _economy(path)
        if flow not in NCSES_HRD or not rest or economy not in NCSES_ECONOMIES:
            continue
        for column, raw in row.items():
            if column.startswith("field_") and _number(raw or "") is not None:
                out.append((NCSES_HRD[flow], NCSES_ECONOMIES[economy], int(column[6:]), raw.strip()))
    world = {(r[0], r[2]): float(r[3]) for r in out if r[1] == "WLD"}
    if len(world) != 32:
        raise SystemExit(f"ncses 1993: expected 16 years of World exports and imports, found {len(world)}")
    return out


def write(path: Path, rows: list[tuple[str, str, int, str]]) -> None:
    rows = sorted(rows)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["indicator", "country", "year", "value"])
        writer.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows)", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared/data", type=Path)
    parser.add_argument("--out", default="autarky/data/snapshot", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / "wdi.csv", wdi_rows(args.shared))
    ncses = [r for table in NCSES_LONG for r in ncses_long_rows(args.shared, table)] + ncses_vc_rows(args.shared)
    write(args.out / "ncses.csv", ncses + ncses_hrd_rows(args.shared))
    chips.build(args.shared / "chips", args.out)


if __name__ == "__main__":
    main()
