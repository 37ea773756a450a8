"""Where events come from: the bundled file, `[[events]]` in autarky.toml, and event CSVs in the files folder.

Every entry is validated; an error names the file, the row (or entry) and the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlparse

from autarky.errors import AutarkyError

COLUMNS = ("date", "end_date", "actor", "kind", "title", "affects", "hs_codes", "source_name", "source_url",
           "source_quote")
REQUIRED = ("date", "actor", "kind", "title", "affects", "source_url")
KINDS = ("export_control", "entity_list", "industrial_policy", "countermeasure", "legislation", "rescission")
TAGS = ("semiconductors", "chip_equipment", "advanced_computing", "ai", "critical_minerals", "telecom", "memory")
BUNDLED = "bundled"
BUNDLED_FILE = "export_controls.csv"


class EventError(AutarkyError):
    """An event entry is malformed: the message names the file, the row or entry, and the field."""


@dataclass(frozen=True)
class Event:
    date: dt.date
    actor: str
    kind: str
    title: str
    affects: tuple[str, ...]
    hs_codes: tuple[str, ...] = ()
    end_date: dt.date | None = None
    source_name: str = ""
    source_url: str = ""
    source_quote: str = ""
    origin: str = BUNDLED

    @property
    def uid(self) -> str:
        """Stable id: date, actor and a short hash of the title, e.g. 2022-10-07-USA-3f2a9c."""
        digest = hashlib.sha256(self.title.encode()).hexdigest()[:6]
        return f"{self.date.isoformat()}-{self.actor}-{digest}"


def parse_event(entry: Mapping[str, Any], where: str) -> Event:
    """One event from a CSV row or a TOML table; `where` is 'FILE, row N' or 'FILE, [[events]] entry N'."""
    def fail(name: str, problem: str) -> EventError:
        return EventError(f"{where}: field {name!r}: {problem}")

    def text(name: str) -> str:
        value = entry.get(name)
        return "" if value is None else str(value).strip()

    unknown = sorted(set(entry) - set(COLUMNS))
    if unknown:
        raise fail(unknown[0], f"unknown field; the fields are {', '.join(COLUMNS)}")
    for name in REQUIRED:
        if not text(name):
            raise fail(name, "required")
    date = _date(entry.get("date"), fail, "date")
    end_date = _date(entry.get("end_date"), fail, "end_date") if text("end_date") else None
    if end_date is not None and end_date < date:
        raise fail("end_date", f"{end_date} is before the date {date}")
    actor = text("actor").upper()
    if len(actor) != 3 or not actor.isalpha():
        raise fail("actor", f"{text('actor')!r} is not an ISO3 country code")
    kind = text("kind")
    if kind not in KINDS:
        raise fail("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    affects = _list(entry.get("affects"))
    bad = [tag for tag in affects if tag not in TAGS]
    if bad:
        raise fail("affects", f"{bad[0]!r} is not one of {', '.join(TAGS)}")
    hs_codes = _list(entry.get("hs_codes"))
    bad = [code for code in hs_codes if not (code.isdigit() and 2 <= len(code) <= 10)]
    if bad:
        raise fail("hs_codes", f"{bad[0]!r} is not an HS code (2 to 10 digits)")
    url = urlparse(text("source_url"))
    if url.scheme not in ("http", "https") or not url.netloc:
        raise fail("source_url", f"{text('source_url')!r} is not an http(s) address")
    return Event(date=date, end_date=end_date, actor=actor, kind=kind, title=text("title"), affects=affects,
                 hs_codes=hs_codes, source_name=text("source_name"), source_url=text("source_url"),
                 source_quote=text("source_quote"), origin=where.split(",")[0])


def _date(raw: Any, fail, name: str) -> dt.date:  # noqa: ANN001
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise fail(name, f"{raw!r} is not a date YYYY-MM-DD") from None


def _list(raw: Any) -> tuple[str, ...]:
    """A `;`-separated string (CSV) or a list (TOML)."""
    items = raw if isinstance(raw, (list, tuple)) else str(raw or "").split(";")
    return tuple(str(item).strip() for item in items if str(item).strip())


def read_csv_text(text: str, origin: str) -> list[Event]:
    reader = csv.DictReader(text.splitlines())
    names = [(n or "").strip().lower() for n in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise EventError(f"{origin}: missing column(s) {', '.join(missing)}; the columns are {','.join(COLUMNS)}")
    events = []
    for number, row in enumerate(reader, start=2):
        entry = {(k or "").strip().lower(): v for k, v in row.items() if k is not None}
        events.append(parse_event({k: v for k, v in entry.items() if k in COLUMNS}, f"{origin}, row {number}"))
    return events


def bundled_events() -> list[Event]:
    """The 40 events shipped with Autarky (autarky/data/events, see its README)."""
    text = resources.files("autarky.data").joinpath("events").joinpath(BUNDLED_FILE).read_text(encoding="utf-8")
    return [replace(e, origin=BUNDLED) for e in read_csv_text(text, f"autarky/data/events/{BUNDLED_FILE}")]


def config_events(entries: Any, origin: str) -> list[Event]:
    """`[[events]]` tables of autarky.toml."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise EventError(f"{origin}: 'events' must be an array of tables ([[events]])")
    events = []
    for number, entry in enumerate(entries, start=1):
        where = f"{origin}, [[events]] entry {number}"
        if not isinstance(entry, Mapping):
            raise EventError(f"{where}: must be a table")
        events.append(parse_event(entry, where))
    return events


def is_events_csv(path: Path) -> bool:
    """A CSV whose header has the event columns date, actor, kind and title (rather than the files collector's)."""
    if path.suffix.lower() != ".csv":
        return False
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), [])
    names = {name.strip().lower() for name in header}
    return {"date", "actor", "kind", "title"} <= names


def folder_events(folder: Path) -> list[Event]:
    """Event CSVs in the files collector's folder."""
    if not folder.is_dir():
        return []
    events = []
    for path in sorted(p for p in folder.iterdir() if is_events_csv(p)):
        events.extend(read_csv_text(path.read_text(encoding="utf-8-sig"), str(path)))
    return events


def all_events(config_data: Mapping[str, Any], config_origin: str) -> list[Event]:
    """Bundled, then the user's own; a user event with the same date, actor and title replaces the bundled one."""
    # Imported here: the files collector imports this module to skip event CSVs.
    from autarky.collectors.files import DEFAULT_PATH

    files = config_data.get("collectors", {}).get("files", {})
    folder = Path(str(files.get("path", DEFAULT_PATH) if isinstance(files, Mapping) else DEFAULT_PATH)).expanduser()
    by_uid: dict[str, Event] = {}
    for event in [*bundled_events(), *config_events(config_data.get("events"), config_origin),
                  *folder_events(folder)]:
        by_uid[event.uid] = event
    return sorted(by_uid.values(), key=lambda e: (e.date, e.actor, e.title))
