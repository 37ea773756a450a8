"""Issue 17 item 4 in headless Debian Chromium: the explorer's Map tab draws the world map offline (outlines bundled,
Vega from Streamlit's own bundle) and the Scorecard page renders; no request goes to any host but the dashboard's."""

from __future__ import annotations

from tests.support.browser import RENDER_TIMEOUT_MS, dashboard_in_chromium, needs_chromium, rendered_text

pytestmark = needs_chromium
MAP = '[data-testid="stVegaLiteChart"]'  # Streamlit's vega-embed container


def test_the_map_tab_and_the_scorecard_in_chromium_without_outside_requests(tmp_path):
    with dashboard_in_chromium(tmp_path) as browsing:
        page, base, hosts = browsing.page, browsing.base_url, browsing.hosts
        rendered_text(page, f"{base}/explorer?indicator=NCSES.USPTO.SEMI&countries=CHN,TWN",
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
        scorecard = rendered_text(page, f"{base}/scorecard?sector=economy_wide",
                                  tmp_path / "scorecard.png")
        assert "Scorecard" in scorecard and "Patents and IP" in scorecard
        assert "Investment and R&D" in scorecard
        page.wait_for_timeout(500)  # the favicon is requested after the page settles
        assert hosts == {"127.0.0.1"}  # no outline, script or font from a CDN
