"""Issue 17 item 4 in headless Debian Chromium: the explorer's Map tab draws the world map offline (outlines bundled,
Vega from Streamlit's own bundle) and the Scorecard page renders; no request goes to any host but the dashboard's."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.dashboard.test_browser import CHROMIUM, CHROMIUM_ARGS, RENDER_TIMEOUT_MS, VIEWPORT, rendered_text
from tests.support.serving import free_port, port_open, start_autarky, stop, wait_healthy

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at "
                                                              "/usr/bin/chromium (apt-get install chromium)")
MAP = '[data-testid="stVegaLiteChart"]'  # Streamlit's vega-embed container


def test_the_map_tab_and_the_scorecard_in_chromium_without_outside_requests(tmp_path):
    from playwright.sync_api import sync_playwright

    env = {"AUTARKY_DATABASE_URL": f"sqlite:///{tmp_path / 'autarky.db'}"}
    init = start_autarky(["init"], env, tmp_path / "init.log")
    assert init.wait(timeout=120) == 0
    port, log = free_port(), tmp_path / "dashboard.log"
    process = start_autarky(["dashboard", "--address", "127.0.0.1", "--port", str(port)], env, log)
    try:
        wait_healthy(port, process, log)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport=VIEWPORT)
                hosts: set[str] = set()
                page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc.rsplit(":", 1)[0])
                        if request.url.startswith(("http:", "https:", "ws:", "wss:")) else None)
                rendered_text(page, f"http://127.0.0.1:{port}/explorer?indicator=NCSES.USPTO.SEMI&countries=CHN,TWN",
                              tmp_path / "explorer.png", plotly=True)
                page.get_by_role("tab", name="Map").click()
                drawn = page.locator(f"{MAP} svg.marks, {MAP} canvas.marks").first
                drawn.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
                box = drawn.bounding_box()
                assert box and box["width"] > 400 and box["height"] > 200, box
                assert page.locator(f"{MAP} svg.marks path").count() > 150  # one per outline (grey or coloured)
                page.wait_for_timeout(500)  # let the outlines paint before the screenshot
                page.locator(MAP).first.screenshot(path=str(tmp_path / "map.png"))
                text = page.inner_text('[data-testid="stMain"]')
                assert "economies with a value; grey: no data" in text and "Natural Earth" in text
                assert "not drawn: Singapore" in text
                assert page.locator('[data-testid="stException"]').count() == 0
                scorecard = rendered_text(page, f"http://127.0.0.1:{port}/scorecard?sector=economy_wide",
                                          tmp_path / "scorecard.png")
                assert "Scorecard" in scorecard and "Patents and IP" in scorecard
                assert "Investment and R&D" in scorecard
                page.wait_for_timeout(500)  # the favicon is requested after the page settles
                assert hosts == {"127.0.0.1"}  # no outline, script or font from a CDN
            finally:
                browser.close()
    finally:
        code = stop(process)
    assert code == 0, log.read_text()
    assert not port_open(port)
    assert (tmp_path / "map.png").stat().st_size > 20_000  # the world drawn, not an empty frame
