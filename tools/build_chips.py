"""The chip-trade and supply-chain part of the snapshot, from ../shared/data/chips (see its README.md).

Every value is copied as published; the script only picks rows, names the series and checks totals. Files written:
gacc.csv, kortrade.csv, comtrade.csv (partner World), comtrade_bilateral.csv (China's 8542 imports from the USA)
and the separable CSET/ETO part: cset.csv (shares) with cset_inputs.csv, cset_stages.csv, cset_sequence.csv.
Trade files have the columns indicator,country,partner,period,value (partner empty = World).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

# China Customs' 8-digit lines under HS 8486, in the order of China's tariff schedule (2017-2021 edition), which is
# the order of the published columns; the README names two of them (84862031, 84862039), which this order matches.
GACC_LINES = ["84861010", "84861020", "84861030", "84861040", "84861090",
              "84862010", "84862021", "84862022", "84862029", "84862031", "84862039", "84862041", "84862049",
              "84862050", "84862090",
              "84863010", "84863021", "84863022", "84863029", "84863031", "84863039", "84863041", "84863049",
              "84863090",
              "84864010", "84864021", "84864022", "84864029", "84864031", "84864039",
              "84869010", "84869020", "84869091", "84869099"]
# Spot checks of the column order: the first words of the published header of each named line.
GACC_HEADERS = {"84861010": "Machines for the treatment of monocrystalline", "84862031": "Step and repeat aligners",
                "84862039": "Other apparatus used for projected circuit onto semiconductor materials",
                "84862050": "Ion implanters", "84863010": "Oxidation,diffusion,annealing and other heat treatment "
                "equipment for the manufacture of flat panel", "84864010": "Apparatus used for the manufacture or "
                "repair of masks", "84864022": "Wire bonders", "84869020": "Parts of wire bonders",
                "84869099": "Other parts and accessories of machines of heading84.86"}
COMTRADE_FLOWS = {"Import": "M", "Export": "X"}
COMTRADE_HS = ("848620", "903082", "903141")
TRADE_HEADER = ["indicator", "country", "partner", "period", "value"]
CSET_FILES = {"inputs.csv": ["input_id", "input_name", "type", "stage_id", "stage_name", "year"],
              "stages.csv": ["stage_id", "stage_name"],
              "sequence.csv": ["input_id", "goes_into_id", "is_type_of_id"]}


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows)", file=sys.stderr)


def _plain(raw: str) -> str:
    """A published number without trailing '.00' / '.0' (the value itself is unchanged)."""
    text = raw.strip()
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    float(text)
    return text


def gacc_rows(chips: Path) -> list[list[str]]:
    with open(chips / "china_gacc_8486_imports_annual.csv", newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    if len(header) != len(GACC_LINES) + 1:
        raise SystemExit(f"gacc: {len(header) - 1} columns, expected {len(GACC_LINES)} eight-digit lines")
    for code, start in GACC_HEADERS.items():
        if not header[GACC_LINES.index(code) + 1].startswith(start):
            raise SystemExit(f"gacc: column for {code} is {header[GACC_LINES.index(code) + 1]!r}")
    out = []
    for row in rows:
        year = row[0][:4]
        out.extend([f"GACC.{code}.M", "CHN", "", year, _plain(raw)]
                   for code, raw in zip(GACC_LINES, row[1:]) if raw.strip())
    return out


def korea_rows(chips: Path) -> list[list[str]]:
    out = []
    for row in _read(chips / "korea_exports_to_china_8486_8542_monthly.csv"):
        month = row["Date"][:7]
        out.extend([f"KR.{hs}.X", "KOR", "CHN", month, _plain(row[hs])] for hs in ("8486", "8542") if row[hs].strip())
    return out


def comtrade_world_rows(chips: Path) -> list[list[str]]:
    out = []
    for row in _read(chips / "comtrade_848620_903082_903141_world_2016_2020.csv"):
        iso, flow = row["Reporter ISO"], COMTRADE_FLOWS.get(row["Trade Flow"])
        if flow is None or row["Partner ISO"] != "WLD" or not (len(iso) == 3 and iso.isalpha()):
            continue
        if row["Commodity Code"] not in COMTRADE_HS or not row["Trade Value (US$)"].strip():
            continue
        out.append([f"CT.{row['Commodity Code']}.{flow}", iso, "", row["Year"], _plain(row["Trade Value (US$)"])])
    return out


def comtrade_bilateral_rows(chips: Path) -> list[list[str]]:
    """China's 8542 imports from the USA: the partner2 = 0 total of each year (other rows break it down)."""
    out = []
    for row in _read(chips / "comtrade_chn_imports_from_usa_8542_2010_2024.csv"):
        if (row["reporterCode"], row["partnerCode"], row["flowCode"]) != ("156", "842", "M"):
            raise SystemExit(f"comtrade bilateral: unexpected record {row['reporterCode']}/{row['partnerCode']}")
        if row["partner2Code"] == "0" and row["motCode"] == "0" and row["customsCode"] == "C00":
            out.append([f"CT.{row['cmdCode']}.M", "CHN", "USA", row["refYear"], _plain(row["primaryValue"])])
    if len({r[3] for r in out}) != len(out):
        raise SystemExit("comtrade bilateral: more than one total per year")
    return out


def cset_rows(cset: Path) -> list[list[str]]:
    """Each country's share of world supply of each input, in percent as published (rows with a share only)."""
    countries = {r["provider_id"] for r in _read(cset / "providers.csv") if r["provider_type"] == "country"}
    out = []
    for row in _read(cset / "provision.csv"):
        iso = row["provider_name"]
        if row["provider_id"] in countries and len(iso) == 3 and iso.isalpha() and iso.isupper() \
                and row["share_provided"].strip():
            out.append([f"CSET.{row['provided_id']}", row["provider_name"], "", row["year"],
                        _plain(row["share_provided"])])
    return out


def build(chips: Path, out: Path) -> None:
    for name, rows in (("gacc.csv", gacc_rows(chips)), ("kortrade.csv", korea_rows(chips)),
                       ("comtrade.csv", comtrade_world_rows(chips)),
                       ("comtrade_bilateral.csv", comtrade_bilateral_rows(chips)),
                       ("cset.csv", cset_rows(chips / "cset_eto"))):
        _write(out / name, TRADE_HEADER, sorted(rows))
    for name, columns in CSET_FILES.items():
        rows = [[r[c] for c in columns] for r in _read(chips / "cset_eto" / name)]
        _write(out / f"cset_{name}", columns, rows)
