"""Helpers for the fault suite: a World Bank stand-in that tampers with real recorded answers, and `autarky
collect` run through the real command line (click's CliRunner) against it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

from click.testing import CliRunner, Result
from werkzeug import Request, Response

from autarky.cli import cli
from autarky.store import Store
from tests.support.collectors import FAST, WorldBankReplay, write_config

GDP = "NY.GDP.MKTP.CD"
Tamper = Callable[[dict[str, Any], list[dict[str, Any]], Request], Any]


class HostileWorldBank(WorldBankReplay):
    """The real World Bank rows, paged as the API pages them, then passed through `tamper(meta, rows, request)`,
    which edits them in place or returns a werkzeug Response to send instead."""

    tamper: Tamper | None = None

    def _handle(self, request: Request) -> Response:
        response = super()._handle(request)
        if self.tamper is None:
            return response
        body = json.loads(response.get_data())
        if not (isinstance(body, list) and len(body) == 2):
            return response
        meta, rows = body[0], copy.deepcopy(body[1] or [])
        replaced = self.tamper(meta, rows, request)
        if isinstance(replaced, Response):
            return replaced
        return Response(json.dumps([meta, rows]), content_type="application/json;charset=utf-8")


def collect_cli(folder: Path, database_url: str, *args: str, collectors: dict[str, dict[str, Any]] | None = None,
                shared: dict[str, Any] | None = None, indicators=(), env: dict[str, str] | None = None) -> Result:
    """`autarky --config <folder>/autarky.toml collect ARGS --no-downstream`, output and exit code kept."""
    sections = {name: {**FAST, **values} for name, values in (collectors or {}).items()}
    extra = {"collectors": shared} if shared else None
    path = write_config(folder, database_url, collectors=sections, indicators=indicators, extra=extra)
    return CliRunner().invoke(cli, ["--config", str(path), *args], env=env, catch_exceptions=True)


def stored(database_url: str, indicator: str = GDP) -> dict[tuple[str, int], float]:
    store = Store(database_url)
    try:
        frame = store.observations(indicators=[indicator])
        return {(r.country, r.period.year): float(r.value) for r in frame.itertuples()}
    finally:
        store.close()


def runs(database_url: str):  # noqa: ANN201
    store = Store(database_url)
    try:
        return store.runs()
    finally:
        store.close()


def cursor(database_url: str, source: str, key: str) -> dict[str, Any]:
    from autarky.collectors.state import Cursors
    store = Store(database_url)
    try:
        return Cursors(store, source).get(key) or {}
    finally:
        store.close()
