"""Streamlit glue: the store and catalog opened once, queries cached on the data version, URL state, login gate."""

from __future__ import annotations

import hmac
import json
import math
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import streamlit as st

from autarky.app import App
from autarky.catalog import Catalog, split_series_key
from autarky.config import Config, load_config
from autarky.db import UNREACHABLE_ERRORS, error_summary, masked_url
from autarky.errors import AutarkyError, CatalogError
from autarky.dashboard import queries, transforms
from autarky.dashboard.formatting import plain
from autarky.dashboard.settings import Settings, load_settings

PASSWORD_ENV = "AUTARKY_DASHBOARD_PASSWORD"
CACHE_ENTRIES = 512
_AUTH_KEY = "_autarky_authenticated"
_FAILURES_KEY = "_autarky_failed_sign_ins"
# Wrong passwords: a few are free, then each one doubles the wait before the next attempt is checked, per session
# and for the whole process (a new browser session does not reset it). A success resets both.
FREE_ATTEMPTS = 3
BASE_DELAY_S = 2.0
MAX_DELAY_S = 900.0
_process_failures = {"count": 0, "until": 0.0}
_process_lock = threading.Lock()
LOAD_DATA_HELP = """
Load the bundled real data (World Bank WDI and NSF NCSES, 9,800 observations) with

```bash
autarky init
```

then reload this page. `autarky serve` does this by itself on a new database; `autarky collect` fetches fresh data
from the sources.
"""


def _close_app(app: App) -> None:
    app.close()


@st.cache_resource(show_spinner=False, max_entries=8, on_release=_close_app)
def _open_app(fingerprint: str, config_path: str | None) -> App:
    """One App (config, catalog, store) per distinct configuration, shared by every session."""
    return App(config_path=config_path)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _cached(name: str, fingerprint: str, version: tuple[str, ...], args: tuple, _data: queries.Data) -> Any:
    # The data version is part of the key, so any change to the stored data makes a fresh entry.
    return getattr(queries, name)(_data, *args)


@dataclass
class Page:
    """What a page gets: the catalog and settings always; the data, its version and cached queries when ready."""

    catalog: Catalog
    settings: Settings
    data: queries.Data | None
    status: str
    version: tuple[str, ...]
    fingerprint: str

    def query(self, function: Callable[..., Any], *args: Any) -> Any:
        """`function(data, *args)` from dashboard.queries, cached until the stored data changes."""
        return _cached(function.__name__, self.fingerprint, self.version, args, self.data)

    @property
    def ready(self) -> bool:
        return self.status == queries.READY


def _fingerprint(config: Config) -> str:
    # The working directory matters: the default SQLite URL is relative to it.
    return json.dumps({"path": str(config.path), "cwd": os.getcwd(), "url": config.database_url,
                       "data": config.data}, sort_keys=True, default=str)


def open_page(title: str, intro: str = "", *, require_data: bool = True) -> Page:
    """Title and intro, then the data; without data, a guide to loading it instead of an error (and stop)."""
    st.title(title)
    if intro:
        st.caption(intro)
    try:
        config = load_config()
        settings = load_settings(config)
    except AutarkyError as exc:
        st.error(f"Configuration error: {plain(exc)}")
        st.stop()
    fingerprint = _fingerprint(config)
    url = config.database_url
    app = _open_app(fingerprint, str(config.path) if config.path else None)
    status, version, data = queries.MISSING, (), None
    try:
        catalog = app.catalog
        if not queries.database_missing(url):
            data = queries.Data(app.store, catalog, config, settings)
            status, version = queries.database_status(app.store)
    except UNREACHABLE_ERRORS as exc:
        st.error(f"Cannot read the database {plain(masked_url(url))}: {plain(error_summary(exc))}")
        st.stop()
    except AutarkyError as exc:
        st.error(f"Configuration error: {plain(exc)}")
        st.stop()
    page = Page(catalog, settings, data, status, version, fingerprint)
    if require_data and not page.ready:
        show_load_help(status, url)
        st.stop()
    return page


def show_load_help(status: str, database_url: str) -> None:
    where = plain(masked_url(database_url))
    headline = {
        queries.MISSING: f"No database yet at {where}.",
        queries.NO_SCHEMA: f"The database {where} has no Autarky schema yet (or an older one).",
        queries.EMPTY: f"The database {where} holds no observations yet.",
    }.get(status, f"Nothing to show from {where}.")
    st.info(headline + "\n" + LOAD_DATA_HELP)


def _requested_page() -> str:
    """The page name in the address bar (`overview` for /overview), as Streamlit resolves it."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    return str(getattr(getattr(context, "pages_manager", None), "intended_page_name", None) or "")


def declare_pages(folder: Path, pages: list[tuple[str, str, str]]) -> list[st.Page]:
    """The first page is served at the root; Streamlit gives a default page no other address, so when the first
    page is asked for by its own name (/overview, as the README links it) it keeps that name for this run (and the
    last page stands in at the root)."""
    default = len(pages) - 1 if _requested_page() == Path(pages[0][0]).stem else 0
    return [st.Page(folder / file, title=title, icon=icon, default=number == default, url_path=Path(file).stem)
            for number, (file, title, icon) in enumerate(pages)]


def signed_in() -> bool:
    """True without a password, or once this session has given it."""
    return not os.environ.get(PASSWORD_ENV, "") or bool(st.session_state.get(_AUTH_KEY))


def failure_delay(failures: int) -> float:
    """Seconds to wait after `failures` wrong passwords in a row: 0 for the first few, then 2, 4, 8 ... up to 900."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(BASE_DELAY_S * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_S)


def _record_failure(now: float) -> None:
    count, _ = st.session_state.get(_FAILURES_KEY, (0, 0.0))
    st.session_state[_FAILURES_KEY] = (count + 1, now + failure_delay(count + 1))
    with _process_lock:
        _process_failures["count"] += 1
        _process_failures["until"] = now + failure_delay(_process_failures["count"])


def _reset_failures() -> None:
    st.session_state.pop(_FAILURES_KEY, None)
    with _process_lock:
        _process_failures.update(count=0, until=0.0)


def _wait_left(now: float) -> float:
    _, until = st.session_state.get(_FAILURES_KEY, (0, 0.0))
    with _process_lock:
        return max(until, _process_failures["until"]) - now


def require_login() -> None:
    """When AUTARKY_DASHBOARD_PASSWORD is set, ask for it once per session (stop the script until it is given).

    The page and query string asked for stay in the address bar, so a deep link opens after sign-in. After a few
    wrong passwords, attempts are refused (without checking them) for an exponentially growing time."""
    if signed_in():
        return
    password = os.environ.get(PASSWORD_ENV, "")
    st.title("Autarky")
    with st.form("login"):
        entered = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        now = time.monotonic()
        wait = _wait_left(now)
        if wait > 0:
            st.error(f"Too many wrong passwords: try again in {math.ceil(wait)} s.")
            st.stop()
        if hmac.compare_digest(entered.encode("utf-8"), password.encode("utf-8")):
            st.session_state[_AUTH_KEY] = True
            _reset_failures()
            st.rerun()
        _record_failure(now)
        wait = _wait_left(now)
        st.error("Wrong password." + (f" Wait {math.ceil(wait)} s before the next attempt." if wait > 0 else ""))
    st.stop()


def csv_download(label: str, frame: Callable[[], Any], file_name: str) -> None:
    """A CSV download whose file is made only when the signed-in session clicks (over its own websocket).

    Static `data` would be stored at once under /media/<hash>.csv, fetchable without the password by anyone holding
    that address for as long as the session lives. A deferred file is produced on the click, its address is the
    SHA-224 of the bytes (not guessable without the data) and Streamlit prunes it once no session refers to it."""
    st.download_button(label, lambda: frame().to_csv(index=False).encode("utf-8"), file_name=file_name,
                       mime="text/csv", icon=":material/download:", on_click="ignore")


# ---------------------------------------------------------------------------- URL state
def seed_from_url(key: str, param: str, default: Any, *, parse: Callable[[str], Any] = str,
                  many: bool = False, use_url: bool = True) -> None:
    """Give a widget its first value from the query string (else `default`), once per session and page visit."""
    if key in st.session_state:
        return
    raw = st.query_params.get(param) if use_url else None
    value = default
    if raw not in (None, ""):
        try:
            value = [parse(v) for v in raw.split(",") if v] if many else parse(raw)
        except ValueError:
            value = default
    st.session_state[key] = value


def linked_series(param: str = "series") -> tuple[str, str] | None:
    """(indicator, country) of a series key in the query string, as alert emails link it (`?series=wb:X:CHN`)."""
    raw = st.query_params.get(param)
    try:
        return split_series_key(raw)[1:] if raw else None
    except CatalogError:
        return None


def keep_valid(key: str, options: list, *, many: bool = False, fallback: Any = None) -> None:
    """Drop a widget's stored value(s) that are no longer among its options (e.g. after the indicator changed)."""
    current = st.session_state.get(key)
    if many:
        valid = [v for v in (current or []) if v in options]
        if not valid and current != []:  # a list the user cleared stays empty; one emptied by a change is refilled
            valid = [v for v in (fallback or []) if v in options]
        st.session_state[key] = valid
    elif current not in options:
        st.session_state[key] = fallback if fallback in options else (options[0] if options else None)


def write_url(**params: Any) -> None:
    """Put the page's selections in the query string so the view can be shared (empty values left out)."""
    wanted = {k: (",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v))
              for k, v in params.items() if v not in (None, "", [], ())}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def fitted_columns(table: pd.DataFrame, pinned: str, help_texts: dict[str, str] | None = None,
                   pinned_max_px: int | None = None) -> dict:
    """st.dataframe column_config: every column as wide as its longest text (so nothing is cut), `pinned` kept in
    view while the others scroll (at most `pinned_max_px` wide, the full text in the cell's tooltip)."""
    def width(name: str) -> int:
        fitted = transforms.text_width(table[name], name)
        return min(fitted, pinned_max_px) if name == pinned and pinned_max_px else fitted

    return {name: st.column_config.TextColumn(name, width=width(name), pinned=name == pinned,
                                              help=(help_texts or {}).get(name))
            for name in table.columns}
