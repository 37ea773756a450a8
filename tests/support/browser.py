"""`autarky dashboard` on loopback in headless Debian Chromium, as the browser tests use it."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from tests.support.serving import free_port, port_open, start_autarky, stop, wait_healthy

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
RENDER_TIMEOUT_MS = 90_000
VIEWPORT = {"width": 1400, "height": 2000}

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at "
                                                                  "/usr/bin/chromium (apt-get install chromium)")


@dataclass
class Browsing:
    page: Any          # playwright's Page
    base_url: str      # http://127.0.0.1:PORT
    hosts: set[str] = field(default_factory=set)  # every host the page asked, over http(s) or websockets


@contextmanager
def dashboard_in_chromium(tmp_path: Path, env: dict[str, str] | None = None, *,
                          port_from_env: bool = False) -> Iterator[Browsing]:
    """`autarky init` into a fresh SQLite file, `autarky dashboard` on loopback (its port given by --port, or by
    Streamlit's own STREAMLIT_SERVER_PORT), one Chromium page recording the hosts it asks. On leaving, SIGTERM: the
    dashboard must exit 0 and free its port."""
    from playwright.sync_api import sync_playwright

    env = {"AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 'autarky.db'}", **(env or {})}
    assert start_autarky(["init"], env, tmp_path / "init.log").wait(timeout=120) == 0
    port, log = free_port(), tmp_path / "dashboard.log"
    args = ["dashboard", "--address", "127.0.0.1"]
    if port_from_env:
        env = {**env, "STREAMLIT_SERVER_PORT": str(port)}
    else:
        args += ["--port", str(port)]
    process = start_autarky(args, env, log)
    try:
        wait_healthy(port, process, log)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                browsing = Browsing(browser.new_page(viewport=VIEWPORT), f"http://127.0.0.1:{port}")
                browsing.page.on("request", lambda request: browsing.hosts.add(
                    urlsplit(request.url).netloc.rsplit(":", 1)[0])
                    if request.url.startswith(("http:", "https:", "ws:", "wss:")) else None)
                yield browsing
            finally:
                browser.close()
    finally:
        code = stop(process)
    assert code == 0, log.read_text()
    assert not port_open(port)


def rendered_text(page, url: str, screenshot: Path, *, plotly: bool = False) -> str:  # noqa: ANN001
    """Load a page, wait until the script has run (and a Plotly chart is drawn), save a screenshot, return the text."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=RENDER_TIMEOUT_MS)
    # Streamlit renders over a websocket after load: wait for the run to finish and the running indicator to go.
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=RENDER_TIMEOUT_MS)
    if plotly:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=RENDER_TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(screenshot), full_page=True)
    return page.inner_text('[data-testid="stMain"]')
