"""Screenshots of every dashboard page, for the README's Dashboard section.

Run from the project root:  .venv/bin/python tools/screenshots.py [--output-dir docs/screenshots]
                                [--database-url URL] [--port N] [--pages overview,explorer] [--config FILE]

Without --database-url it builds a fresh SQLite database in a temporary folder the way the quick start does
(`autarky init`, then `autarky forecast`: the bundled real data, nothing invented). It starts `autarky dashboard`
on loopback, opens every page of dashboard/app.py's PAGES (read from that file, so a new page gets its screenshot)
in headless Debian Chromium (/usr/bin/chromium) at 1280 px wide, waits until Streamlit has finished the script run
and drawn the charts, and saves a full-page PNG per page as <output-dir>/<page>.png (the page's file name without
.py, which is also its address: /explorer -> explorer.png). A PNG over SIZE_LIMIT is stored with a 256-colour
palette. It prints each file with its size and fails (exit 1) if a page shows an exception or does not finish
loading (the others are still taken).
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project folder, for the tests.support package

from autarky.serve import dashboard_script  # noqa: E402
from tests.support.serving import free_port, stop, wait_healthy  # noqa: E402

OUTPUT_DIR = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--hide-scrollbars"]
VIEWPORT = {"width": 1280, "height": 900}  # the height only sets the first screen: the shot is the full page
RENDER_TIMEOUT_MS = 120_000
SETTLE_MS = 1_500  # after the run: Plotly and Vega-Lite finish their transitions
MAX_HEIGHT = 4_000  # a longer page (Methodology holds the whole METHODOLOGY.md) is shown from the top
SIZE_LIMIT = 400 * 1024
STEP_TIMEOUT_S = 900
# Variables that would change what the pages show or lock them behind the sign-in.
DROPPED_ENV = ("AUTARKY_CONFIG", "AUTARKY_DASHBOARD_PASSWORD", "AUTARKY_DATABASE_URL")
# Every chart drawn: Plotly's SVG in each Plotly chart, a canvas or SVG in each Vega-Lite chart.
# Only charts on screen count: a chart in a tab not shown (the explorer's Map) is not drawn until its tab is opened.
CHARTS_DRAWN = """() => { const shown = e => e.getClientRects().length > 0;
    return [...document.querySelectorAll('.js-plotly-plot')].filter(shown).every(p => p.querySelector('.main-svg'))
    && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(shown)
        .every(c => c.querySelector('canvas, svg')); }"""
# Streamlit scrolls its main area inside the window, so a full-page shot of the window is one screen: the content's
# height is the main area's scroll height, and the window is made that tall before the shot.
CONTENT_HEIGHT = """() => (document.querySelector('[data-testid="stMain"]') || document.documentElement).scrollHeight"""


@dataclass(frozen=True)
class DashboardPage:
    name: str   # the file name without .py: the page's address and its screenshot's name
    title: str

    @property
    def address(self) -> str:
        return f"/{self.name}"

    def screenshot(self, output_dir: Path) -> Path:
        return output_dir / f"{self.name}.png"


def app_pages(app_script: Path | None = None) -> list[DashboardPage]:
    """The pages dashboard/app.py declares, in order, read from its `PAGES = [(file, title, icon), ...]` without
    running it (the script is Streamlit code)."""
    script = app_script or dashboard_script()
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) \
            else []
        if any(isinstance(t, ast.Name) and t.id == "PAGES" for t in targets):
            return [DashboardPage(Path(file).stem, title) for file, title, *_ in ast.literal_eval(node.value)]
    raise SystemExit(f"{script} declares no PAGES list")


def chosen_pages(pages: list[DashboardPage], names: str | None) -> list[DashboardPage]:
    if not names:
        return pages
    wanted = [n.strip().removesuffix(".py") for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in {p.name for p in pages}]
    if unknown:
        raise SystemExit(f"unknown page(s) {', '.join(unknown)}; the dashboard has {', '.join(p.name for p in pages)}")
    return [p for p in pages if p.name in wanted]


def autarky(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    with open(log, "a", encoding="utf-8") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "autarky", *args], env=env, cwd=cwd, stdout=handle,
                                stderr=subprocess.STDOUT, text=True)


def build_database(env: dict[str, str], cwd: Path, log: Path) -> None:
    """The quick start's data: the bundled snapshot, its metrics, then the forecasts."""
    for step in (["init"], ["forecast"]):
        print(f"autarky {' '.join(step)} ...", flush=True)
        process = autarky(step, env, cwd, log)
        if process.wait(timeout=STEP_TIMEOUT_S) != 0:
            raise SystemExit(f"autarky {' '.join(step)} failed ({process.returncode}):\n{log.read_text()[-3000:]}")


def shoot(page, url: str, path: Path) -> int:  # noqa: ANN001 - a playwright Page
    """Load the page, wait until the script run has ended and the charts are drawn, save a full-page PNG;
    returns the number of exceptions the page shows."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(CHARTS_DRAWN, timeout=RENDER_TIMEOUT_MS)
    page.wait_for_timeout(SETTLE_MS)
    for _ in range(3):  # a taller window can change the layout (charts redraw to their new width): until it settles
        height = min(MAX_HEIGHT, max(VIEWPORT["height"], page.evaluate(CONTENT_HEIGHT)))
        if height == page.viewport_size["height"]:
            break
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        page.wait_for_function(CHARTS_DRAWN, timeout=RENDER_TIMEOUT_MS)
        page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=str(path), full_page=True)
    return page.locator('[data-testid="stException"]').count()


def shrink(path: Path) -> None:
    """A PNG over SIZE_LIMIT is stored with a 256-colour palette (the pages are flat colours and text)."""
    if path.stat().st_size <= SIZE_LIMIT:
        return
    from PIL import Image

    with Image.open(path) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    palette.save(path, optimize=True)


def take_screenshots(base_url: str, pages: list[DashboardPage], output_dir: Path) -> list[str]:
    """Every page's screenshot; returns the pages that showed an exception or did not finish loading."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright

    output_dir.mkdir(parents=True, exist_ok=True)
    failed = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, color_scheme="light")
            for dashboard_page in pages:
                tab = context.new_page()  # a fresh page each time: no widget state carried over
                path = dashboard_page.screenshot(output_dir)
                try:
                    exceptions = shoot(tab, base_url + dashboard_page.address, path)
                except PlaywrightTimeout as exc:  # the other pages still get theirs; the old file is kept
                    print(f"{dashboard_page.name}: not finished: {str(exc).splitlines()[0]}", file=sys.stderr)
                    failed.append(dashboard_page.name)
                    continue
                finally:
                    tab.close()
                shrink(path)
                if exceptions:
                    failed.append(dashboard_page.name)
                note = f"  ({exceptions} exception(s) on the page)" if exceptions else ""
                print(f"{path}  {path.stat().st_size / 1024:.0f} KB{note}", flush=True)
        finally:
            browser.close()
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR, help=f"default: {OUTPUT_DIR}")
    parser.add_argument("--database-url", help="use this database as it is (default: a fresh SQLite database "
                                               "with the bundled data and forecasts)")
    parser.add_argument("--port", type=int, help="dashboard port (default: a free one)")
    parser.add_argument("--pages", help="comma-separated page names (default: every page), e.g. overview,explorer")
    parser.add_argument("--config", type=Path, help="an autarky.toml for the dashboard (default: none, the defaults)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    pages = chosen_pages(app_pages(), args.pages)
    output_dir = args.output_dir.resolve()
    with tempfile.TemporaryDirectory(prefix="autarky-screenshots-") as work:
        work_dir = Path(work)
        log = work_dir / "autarky.log"
        env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
        env["AUTARKY_DATABASE_URL"] = args.database_url or f"sqlite:///{work_dir / 'autarky.db'}"
        if args.config:
            env["AUTARKY_CONFIG"] = str(args.config.resolve())
        if not args.database_url:
            build_database(env, work_dir, log)
        port = args.port or free_port()
        process = autarky(["dashboard", "--port", str(port), "--address", "127.0.0.1"], env, work_dir, log)
        try:
            wait_healthy(port, process, log)
            failed = take_screenshots(f"http://127.0.0.1:{port}", pages, output_dir)
        finally:
            stop(process)
    if failed:
        print(f"exceptions or timeouts on: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
