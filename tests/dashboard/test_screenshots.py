"""tools/screenshots.py covers every dashboard page, and the README's Dashboard section shows each page's screenshot:
a new page without a screenshot fails here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autarky.serve import dashboard_script
from tools.screenshots import OUTPUT_DIR, ROOT, DashboardPage, app_pages, chosen_pages


def pages_the_app_declares(tmp_path) -> list[str]:
    """PAGES as the running module holds it (imported in a child process: the app is Streamlit code)."""
    env = {**os.environ, "AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 'missing.db'}"}
    env.pop("AUTARKY_CONFIG", None)
    proc = subprocess.run([sys.executable, "-c", "import json, autarky.dashboard.app as app; "
                           "print('PAGES=' + json.dumps(app.PAGES))"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    line = next(line for line in proc.stdout.splitlines() if line.startswith("PAGES="))
    return [Path(file).stem for file, *_ in json.loads(line.removeprefix("PAGES="))]


def dashboard_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"^## Dashboard\n(.*?)^## ", readme, re.M | re.S).group(1)


def test_the_tool_shoots_exactly_the_pages_the_app_declares(tmp_path):
    names = [page.name for page in app_pages()]
    assert names == pages_the_app_declares(tmp_path)
    assert sorted(names) == sorted(p.stem for p in (dashboard_script().parent / "views").glob("*.py"))
    assert names[0] == "overview" and app_pages()[0].address == "/overview"


def test_every_page_has_its_screenshot_in_the_readme():
    section = dashboard_section()
    for page in app_pages():
        relative = page.screenshot(OUTPUT_DIR).relative_to(ROOT).as_posix()
        assert f"]({relative})" in section, f"README's Dashboard section shows no {relative}"
        assert (ROOT / relative).is_file(), f"{relative} is missing: run .venv/bin/python tools/screenshots.py"
        assert 0 < (ROOT / relative).stat().st_size <= 400 * 1024
    assert ".venv/bin/python tools/screenshots.py" in section


def test_the_pages_option_picks_pages_and_names_the_unknown_ones():
    pages = [DashboardPage("overview", "Overview"), DashboardPage("compare", "Compare")]
    assert chosen_pages(pages, None) == pages
    assert chosen_pages(pages, "compare.py, overview") == pages  # in the app's order
    with pytest.raises(SystemExit, match="unknown page.*nope.*the dashboard has overview, compare"):
        chosen_pages(pages, "nope,compare")


def test_a_script_without_pages_is_refused(tmp_path):
    script = tmp_path / "app.py"
    script.write_text("import streamlit as st\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="declares no PAGES"):
        app_pages(script)
