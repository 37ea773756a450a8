"""Files: a folder of CSV or Excel files in long format, for figures no API offers (industry estimates, billings)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
from pathlib import Path
from typing import Any

import pandas as pd

from autarky.events.source import is_events_csv
from autarky.periods import parse_period
from autarky.collectors.base import Batch, Collector, Record, Selection, Task
from autarky.collectors.errors import MalformedResponse
from autarky.collectors.settings import Defaults

COLUMNS = ("indicator", "country", "period", "value", "unit", "source")
SUFFIXES = (".csv", ".xlsx")
DEFAULT_PATH = "data/files"


class FilesCollector(Collector):
    """One task per file; a file whose checksum has not changed since it was last stored is skipped."""

    name = "files"
    text_numbers = True
    source = "file"
    defaults = Defaults(cron="30 2 * * *")
    selects_from_catalog = False  # the files say which indicators they hold

    def plan(self, selection: Selection) -> list[Task]:
        folder = Path(str(self.ctx.settings.option("path", DEFAULT_PATH))).expanduser()
        if not folder.is_dir():
            self.ctx.warn(f"{self.name}: folder {folder} does not exist: nothing to load "
                          "(set [collectors.files] path)")
            return []
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith("~$")
                       and not is_events_csv(p))  # policy events: read by `autarky events`
        return [Task(label=str(path), indicators=selection.indicators, payload=(path, selection)) for path in files]

    def fetch(self, task: Task) -> Batch:
        path, selection = task.payload
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        key = f"file:{path.resolve()}"
        whole = selection.since is None and not selection.narrowed
        if whole and (self.ctx.cursors.get(key) or {}).get("sha256") == digest:
            return Batch(task.label, note="unchanged since last stored")
        rows = _read(path)
        wanted = {ind.code for ind in selection.indicators}
        records = []
        for number, row in enumerate(rows, start=2):
            if selection.narrowed and (row["indicator"] not in wanted
                                       or row["country"] not in selection.countries.get(row["indicator"], ())):
                continue
            if selection.since is not None and _year(row["period"], path, number) < selection.since:
                continue
            if row["source"] in ("", None):
                raise MalformedResponse(f"{self.name}: {path}, row {number}: column 'source' is empty: say which "
                                        "publication the figure comes from")
            # The publication a hand-kept figure was taken from is its vintage.
            records.append(Record(str(row["indicator"]), str(row["country"]), row["period"], row["value"],
                                  vintage=str(row["source"]), unit=str(row["unit"])))
        return Batch(task.label, records, {key: {"sha256": digest}} if whole else {}, note=f"{len(records)} rows")


def _read(path: Path) -> list[dict[str, Any]]:
    """Rows with the documented columns (names case-insensitive; extra columns ignored)."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            names = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
            _require(names, path)
            return [{c: (row.get(names[c]) or "").strip() for c in COLUMNS} for row in reader]
    try:
        frame = pd.read_excel(path, dtype=object)
    except (ValueError, OSError) as exc:
        raise MalformedResponse(f"files: {path}: cannot read the workbook: {exc}") from None
    names = {str(name).strip().lower(): name for name in frame.columns}
    _require(names, path)
    return [{c: _cell(row[names[c]]) for c in COLUMNS} for _, row in frame.iterrows()]


def _require(names: dict[str, Any], path: Path) -> None:
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise MalformedResponse(f"files: {path}: missing column(s) {', '.join(missing)}; the format is "
                                f"{','.join(COLUMNS)}")


def _cell(value: Any) -> Any:
    """Excel cells as the CSV reader would see them: text trimmed, whole floats as ints, dates as dates."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    return value.strip() if isinstance(value, str) else value


def _year(period: Any, path: Path, number: int) -> int:
    try:
        return parse_period(period).year
    except ValueError as exc:
        raise MalformedResponse(f"files: {path}, row {number}: {exc}") from None
